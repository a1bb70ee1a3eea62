/** Types for the one undici module the probes import directly (see http.ts): the same class as undici's `Client`. */
declare module 'undici/lib/dispatcher/client.js' {
  import { Client } from 'undici';
  export default Client;
}

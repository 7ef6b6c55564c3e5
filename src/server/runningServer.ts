// What starting one of our servers gives back, whatever it speaks (HTTP, HTTPS, TFTP).

export interface RunningServer {
  /** The root URL: `http://127.0.0.1:8080/`, `tftp://127.0.0.1:6969/`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening, ends the connections and transfers in flight, and resolves when all is closed. */
  close(): Promise<void>;
}

import { createServer, IncomingMessage, Server, ServerResponse } from "http";
import { AddressInfo } from "net";

/** An HTTP server on a free loopback port that a stand-in of an AWS service answers on. */
export abstract class LoopbackServer {
    private server: Server | undefined;
    /** `http://127.0.0.1:<port>` once started: the SDK client's `endpoint`. */
    public url = "";

    /** Starts listening on `port` (0: a free one); returns the URL. */
    async start(port = 0): Promise<string> {
        this.server = createServer((req, res) => void this.receive(req, res));
        await new Promise<void>((resolve, reject) => {
            this.server!.once("error", reject);
            this.server!.listen(port, "127.0.0.1", resolve);
        });
        this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this.url;
    }

    /** Stops listening and drops open connections, so the process can exit. */
    async stop(): Promise<void> {
        this.server?.closeAllConnections();
        await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    }

    /** Reads the whole request body, then hands the request to the stand-in. */
    private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        await this.handle(req, res, Buffer.concat(chunks).toString("utf8"));
    }

    /** Answers one request; `body` is its whole body, as UTF-8 text. */
    protected abstract handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void>;
}

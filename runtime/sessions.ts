/** The value SageMaker takes as `SessionId` to open a new sticky session. */
export const NEW_SESSION = "NEW_SESSION";

/** A sticky session: requests that carry its id are routed to the same instance. */
export interface Session {
    /** The id to send as `SessionId` (header `X-Amzn-SageMaker-Session-Id`). */
    readonly id: string;
    /** When the service said it expires; `undefined` when it did not say. */
    readonly expiresAt: Date | undefined;
}

/**
 * Parses `NewSessionId` (header `X-Amzn-SageMaker-New-Session-Id`), `<id>; Expires=<timestamp>`. The
 * timestamp is an ISO 8601 date or epoch seconds; anything else leaves `expiresAt` undefined.
 */
export function parseNewSessionId(header: string): Session {
    const [id, ...attributes] = header.split(";").map((part) => part.trim());
    let expiresAt: Date | undefined;
    for (const attribute of attributes) {
        const match = /^expires\s*=\s*(.+)$/i.exec(attribute);
        if (!match) continue;
        const raw = match[1].trim();
        const date = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
        if (!Number.isNaN(date.getTime())) expiresAt = date;
    }
    return { id, expiresAt };
}

/** Whether a session has expired at `now`. Sessions without an expiry never expire on the client side. */
export function isExpired(session: Session, now: Date = new Date()): boolean {
    return session.expiresAt !== undefined && session.expiresAt.getTime() <= now.getTime();
}

/** Raised before sending a request on a session the service already expired. */
export class SessionExpiredError extends Error {
    constructor(public readonly session: Session) {
        super(
            `Session ${session.id} expired at ${session.expiresAt?.toISOString()}. Open a new one (--session new) and resend.`,
        );
        this.name = "SessionExpiredError";
    }
}

/**
 * A close request answered without `ClosedSessionId`, which the API sets only "if you closed a stateful
 * session with your request" (InvokeEndpoint response): the session was not closed.
 */
export class SessionNotClosedError extends Error {
    constructor(
        public readonly sessionId: string,
        endpointName: string,
    ) {
        super(
            `Endpoint ${endpointName} answered the close of session ${sessionId} without closing it (no ClosedSessionId): its container does not close sessions on {"requestType":"CLOSE"}, or the session is not its.`,
        );
        this.name = "SessionNotClosedError";
    }
}

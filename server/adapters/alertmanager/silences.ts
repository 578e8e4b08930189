// Alertmanager's API v2 for silences: create with matchers, a time window and a comment;
// expire; read one or all.
import { z } from "zod";
import type { NewSilence, Silence, SilencePort } from "../../domain/alerts/ports";
import { AlertingHttpError, requestJson, type JsonEndpoint } from "./http";

const matcherSchema = z.object({
  name: z.string(),
  value: z.string(),
  isRegex: z.boolean(),
  // Alertmanager before 0.22 has no negative matchers and leaves the field out.
  isEqual: z.boolean().default(true),
});

const gettableSilenceSchema = z.object({
  id: z.string(),
  status: z.object({ state: z.enum(["active", "pending", "expired"]) }),
  matchers: z.array(matcherSchema),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  createdBy: z.string(),
  comment: z.string(),
});

function silenceOf(raw: unknown, where: string): Silence {
  const parsed = gettableSilenceSchema.safeParse(raw);
  if (!parsed.success) throw new AlertingHttpError("bad_response", `${where} answered with a silence Scaleplane cannot read: ${parsed.error.issues[0]?.message ?? "unexpected shape"}`);
  const silence = parsed.data;
  return {
    id: silence.id,
    state: silence.status.state,
    matchers: silence.matchers,
    startsAt: new Date(silence.startsAt),
    endsAt: new Date(silence.endsAt),
    createdBy: silence.createdBy,
    comment: silence.comment,
  };
}

export class AlertmanagerSilences implements SilencePort {
  private readonly endpoint: JsonEndpoint;

  constructor(options: { url: string; timeoutMs: number; bearerToken?: string }) {
    this.endpoint = {
      system: "Alertmanager",
      baseUrl: options.url,
      timeoutMs: options.timeoutMs,
      ...(options.bearerToken ? { headers: { authorization: `Bearer ${options.bearerToken}` } } : {}),
    };
  }

  get url(): string {
    return this.endpoint.baseUrl;
  }

  async create(silence: NewSilence): Promise<string> {
    const answer = await requestJson(this.endpoint, "POST", "api/v2/silences", {
      matchers: silence.matchers,
      startsAt: silence.startsAt.toISOString(),
      endsAt: silence.endsAt.toISOString(),
      createdBy: silence.createdBy,
      comment: silence.comment,
    });
    const id = (answer as { silenceID?: unknown } | undefined)?.silenceID;
    if (typeof id !== "string" || id === "") throw new AlertingHttpError("bad_response", `Alertmanager at ${this.endpoint.baseUrl} created a silence but did not say its id`);
    return id;
  }

  async expire(id: string): Promise<void> {
    try {
      await requestJson(this.endpoint, "DELETE", `api/v2/silence/${encodeURIComponent(id)}`);
    } catch (error) {
      // Alertmanager answers 500 "already expired" to a second expiry: that is the state asked for.
      if (error instanceof AlertingHttpError && error.kind === "unavailable" && error.status === 500) {
        const current = await this.get(id).catch(() => null);
        if (current?.state === "expired") return;
      }
      throw error;
    }
  }

  async get(id: string): Promise<Silence | null> {
    try {
      return silenceOf(await requestJson(this.endpoint, "GET", `api/v2/silence/${encodeURIComponent(id)}`), `Alertmanager at ${this.endpoint.baseUrl}`);
    } catch (error) {
      if (error instanceof AlertingHttpError && error.status === 404) return null;
      throw error;
    }
  }

  async list(): Promise<Silence[]> {
    const answer = await requestJson(this.endpoint, "GET", "api/v2/silences");
    if (!Array.isArray(answer)) throw new AlertingHttpError("bad_response", `Alertmanager at ${this.endpoint.baseUrl} answered the silence list with something that is not a list`);
    return answer.map((raw) => silenceOf(raw, `Alertmanager at ${this.endpoint.baseUrl}`));
  }
}

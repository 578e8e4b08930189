// A Kubernetes API server for tests, small but faithful for exactly what Scaleplane's Kubernetes
// adapter asks: apps/v1 Deployments and StatefulSets (with their scale subresource),
// autoscaling/v2 HorizontalPodAutoscalers and gateway.networking.k8s.io/v1 HTTPRoutes. It is
// driven by the real @kubernetes/client-node through a kubeconfig file pointing at it, and
// answers as the API server does:
// - lists across all namespaces or one, paged with `limit` and `continue`;
// - PATCH as JSON patch (RFC 6902), merge patch (RFC 7386: null deletes, lists are replaced) or
//   strategic merge patch (maps merge; lists of named objects merge by `name`, other lists are
//   replaced; no `$patch` directives). HTTPRoutes, a custom resource, refuse strategic merge
//   patch with 415, as the API server does for CRDs; any other content type is a 415 too;
// - PUT replaces (the scale subresource: spec.replicas only);
// - a write whose body carries a metadata.resourceVersion other than the stored one is a 409
//   Conflict; a write that changes the object gets a new resourceVersion (one counter for the
//   whole server, like etcd's revision), and a change of spec a new metadata.generation;
// - `dryRun=All` answers the result without storing it; `fieldManager` is recorded in
//   metadata.managedFields; status cannot be changed through the object's own endpoint;
// - validation as the API server's (replicas, HPA bounds and targets, backendRef weights) with
//   422 Invalid;
// - failures are Status objects ({kind: "Status", apiVersion: "v1", status: "Failure", message,
//   reason, details, code}); a missing or wrong bearer token is a 401, verbs made forbidden
//   with `forbid` a 403 worded like RBAC's.
// Knobs for tests: `forbid`, `beforeWrite` (another writer acting between a client's read and
// its write), `modify` and `remove` (writes by someone else), `settle` (the controllers catching up),
// `requests` (what the client sent).
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export type ResourceName = "deployments" | "statefulsets" | "horizontalpodautoscalers" | "httproutes";
export type Verb = "get" | "list" | "patch" | "update";

interface ResourceType {
  group: string;
  version: string;
  kind: string;
  /** Built-in types take strategic merge patches; custom resources do not. */
  builtIn: boolean;
  hasScale: boolean;
  validate(object: JsonObject): Cause[];
}

interface Cause {
  field: string;
  message: string;
  value?: Json;
  reason?: string;
}

// ── JSON helpers ─────────────────────────────────────────────────────────────────────────

const isObject = (value: unknown): value is JsonObject => value !== null && typeof value === "object" && !Array.isArray(value);
const clone = <T>(value: T): T => structuredClone(value);
const asObject = (value: Json | undefined): JsonObject => (isObject(value) ? value : {});

class PatchError extends Error {}

/** RFC 7386 JSON merge patch: objects merge, null deletes, anything else (lists too) replaces. */
export function applyMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

/**
 * Strategic merge patch, as far as this server needs it: maps as in a merge patch; a list of
 * objects that all have a `name` merges by name (containers, env, volumes are merged that way
 * by their patchMergeKey); other lists are replaced.
 */
export function applyStrategicMergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) {
    if (Array.isArray(patch) && Array.isArray(target) && [...patch, ...target].every((item) => isObject(item) && typeof item.name === "string")) {
      const merged = target.map((item) => clone(item));
      for (const item of patch as JsonObject[]) {
        const index = merged.findIndex((existing) => asObject(existing).name === item.name);
        if (index < 0) merged.push(clone(item));
        else merged[index] = applyStrategicMergePatch(merged[index], item);
      }
      return merged;
    }
    return clone(patch);
  }
  const result: JsonObject = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) throw new PatchError(`the strategic merge patch directive ${key} is not implemented by this test server`);
    if (value === null) delete result[key];
    else result[key] = applyStrategicMergePatch(result[key], value);
  }
  return result;
}

function pointerTokens(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw new PatchError(`the JSON pointer ${JSON.stringify(pointer)} does not start with /`);
  return pointer
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function pointerGet(document: Json, pointer: string): Json {
  let current: Json | undefined = document;
  for (const token of pointerTokens(pointer)) {
    if (Array.isArray(current)) current = current[Number(token)];
    else if (isObject(current)) current = current[token];
    else current = undefined;
    if (current === undefined) throw new PatchError(`the path ${pointer} does not exist`);
  }
  return current as Json;
}

/** The parent container of the pointer's target and the last token. */
function pointerParent(document: Json, pointer: string): [Json[] | JsonObject, string] {
  const tokens = pointerTokens(pointer);
  const last = tokens.pop();
  if (last === undefined) throw new PatchError("the root cannot be the target of this operation");
  const parent = pointerGet(document, tokens.map((token) => "/" + token.replace(/~/g, "~0").replace(/\//g, "~1")).join(""));
  if (!Array.isArray(parent) && !isObject(parent)) throw new PatchError(`the parent of ${pointer} is not an object or a list`);
  return [parent, last];
}

function arrayIndex(list: Json[], token: string, forInsert: boolean): number {
  if (forInsert && token === "-") return list.length;
  const index = Number(token);
  if (!/^(0|[1-9][0-9]*)$/.test(token) || index > list.length || (!forInsert && index === list.length)) throw new PatchError(`the list index ${token} is out of range`);
  return index;
}

/** RFC 6902 JSON patch: add, remove, replace, move, copy, test. */
export function applyJsonPatch(document: Json, operations: Json): Json {
  if (!Array.isArray(operations)) throw new PatchError("a JSON patch must be a list of operations");
  let result = clone(document);
  for (const raw of operations) {
    const operation = asObject(raw);
    const op = operation.op;
    const at = String(operation.path ?? "");
    const add = (value: Json) => {
      if (at === "") {
        result = clone(value);
        return;
      }
      const [parent, key] = pointerParent(result, at);
      if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, clone(value));
      else parent[key] = clone(value);
    };
    const remove = (pointer: string): Json => {
      const [parent, key] = pointerParent(result, pointer);
      if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false), 1)[0] as Json;
      if (!(key in parent)) throw new PatchError(`the path ${pointer} does not exist`);
      const value = parent[key] as Json;
      delete parent[key];
      return value;
    };
    switch (op) {
      case "add":
        add(operation.value as Json);
        break;
      case "remove":
        remove(at);
        break;
      case "replace":
        remove(at);
        add(operation.value as Json);
        break;
      case "move":
        add(remove(String(operation.from)));
        break;
      case "copy":
        add(pointerGet(result, String(operation.from)));
        break;
      case "test":
        if (JSON.stringify(pointerGet(result, at)) !== JSON.stringify(operation.value)) throw new PatchError(`testing value ${at} failed`);
        break;
      default:
        throw new PatchError(`unknown JSON patch operation ${JSON.stringify(op)}`);
    }
  }
  return result;
}

// ── Validation, as the API server's ──────────────────────────────────────────────────────

const isWholeNumber = (value: Json | undefined): value is number => typeof value === "number" && Number.isInteger(value);

function validateWorkload(object: JsonObject): Cause[] {
  const causes: Cause[] = [];
  const spec = asObject(object.spec);
  if (spec.replicas !== undefined && (!isWholeNumber(spec.replicas) || spec.replicas < 0)) {
    causes.push({ field: "spec.replicas", value: spec.replicas, message: "must be greater than or equal to 0" });
  }
  const annotations = asObject(asObject(asObject(spec.template).metadata).annotations);
  for (const [key, value] of Object.entries(annotations)) {
    if (typeof value !== "string") causes.push({ field: `spec.template.metadata.annotations.${key}`, value, message: "must be a string" });
  }
  return causes;
}

function validateAutoscaler(object: JsonObject): Cause[] {
  const causes: Cause[] = [];
  const spec = asObject(object.spec);
  const min = spec.minReplicas ?? 1;
  if (!isWholeNumber(min) || min < 1) causes.push({ field: "spec.minReplicas", value: min, message: "must be greater than or equal to 1" });
  if (!isWholeNumber(spec.maxReplicas) || spec.maxReplicas < 1) causes.push({ field: "spec.maxReplicas", value: spec.maxReplicas ?? null, message: "must be greater than 0" });
  else if (isWholeNumber(min) && spec.maxReplicas < min) causes.push({ field: "spec.maxReplicas", value: spec.maxReplicas, message: "must be greater than or equal to `minReplicas`" });
  const metrics = Array.isArray(spec.metrics) ? spec.metrics : [];
  metrics.forEach((metric, index) => {
    const target = asObject(asObject(asObject(metric).resource).target);
    if (target.type === "Utilization" && (!isWholeNumber(target.averageUtilization) || target.averageUtilization <= 0)) {
      causes.push({ field: `spec.metrics[${index}].resource.target.averageUtilization`, value: target.averageUtilization ?? null, message: "must be greater than 0" });
    }
  });
  return causes;
}

function validateHttpRoute(object: JsonObject): Cause[] {
  const causes: Cause[] = [];
  const rules = asObject(object.spec).rules;
  (Array.isArray(rules) ? rules : []).forEach((rule, ruleIndex) => {
    const refs = asObject(rule).backendRefs;
    (Array.isArray(refs) ? refs : []).forEach((ref, refIndex) => {
      const field = `spec.rules[${ruleIndex}].backendRefs[${refIndex}]`;
      const { name, weight } = asObject(ref);
      if (typeof name !== "string" || name === "") causes.push({ field: `${field}.name`, value: name ?? null, message: "Required value", reason: "FieldValueRequired" });
      if (weight !== undefined && (!isWholeNumber(weight) || weight < 0 || weight > 1_000_000)) {
        causes.push({ field: `${field}.weight`, value: weight, message: `${field}.weight in body should be between 0 and 1000000` });
      }
    });
  });
  return causes;
}

const RESOURCES: Record<ResourceName, ResourceType> = {
  deployments: { group: "apps", version: "v1", kind: "Deployment", builtIn: true, hasScale: true, validate: validateWorkload },
  statefulsets: { group: "apps", version: "v1", kind: "StatefulSet", builtIn: true, hasScale: true, validate: validateWorkload },
  horizontalpodautoscalers: { group: "autoscaling", version: "v2", kind: "HorizontalPodAutoscaler", builtIn: true, hasScale: false, validate: validateAutoscaler },
  httproutes: { group: "gateway.networking.k8s.io", version: "v1", kind: "HTTPRoute", builtIn: false, hasScale: false, validate: validateHttpRoute },
};

// ── Answers ──────────────────────────────────────────────────────────────────────────────

class ApiFailure extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
  ) {
    super(message);
  }

  toStatus(): JsonObject {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

const qualified = (resource: ResourceName) => `${resource}.${RESOURCES[resource].group}`;

function notFound(resource: ResourceName, name: string): ApiFailure {
  return new ApiFailure(404, "NotFound", `${qualified(resource)} "${name}" not found`, { name, group: RESOURCES[resource].group, kind: resource });
}

function invalid(kind: string, group: string, name: string, causes: Cause[]): ApiFailure {
  const describe = (cause: Cause) => `${cause.field}: ${cause.reason === "FieldValueRequired" ? cause.message : `Invalid value: ${JSON.stringify(cause.value)}: ${cause.message}`}`;
  const listed = causes.length === 1 ? describe(causes[0] as Cause) : `[${causes.map(describe).join(", ")}]`;
  return new ApiFailure(422, "Invalid", `${kind}.${group} "${name}" is invalid: ${listed}`, {
    name,
    group,
    kind,
    causes: causes.map((cause) => ({ reason: cause.reason ?? "FieldValueInvalid", message: describe(cause), field: cause.field })),
  });
}

// ── The server ───────────────────────────────────────────────────────────────────────────

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | undefined;
  body: Json | undefined;
}

export interface WriteAttempt {
  verb: Verb;
  resource: ResourceName;
  subresource: "scale" | undefined;
  namespace: string;
  name: string;
  /** A `dryRun=All` write, which stores nothing. */
  dryRun: boolean;
}

export interface KubeApiServer {
  url: string;
  /** A kubeconfig whose current context (`context`) points at this server with its token. */
  kubeconfigPath: string;
  context: string;
  /** The service account's name in 403 messages. */
  user: string;
  /** Every request, in order. */
  requests: RecordedRequest[];
  /** A copy of the stored object, or undefined. */
  object(resource: ResourceName, namespace: string, name: string): JsonObject | undefined;
  /** Stores an object as a create would (uid, resourceVersion, generation 1). */
  create(resource: ResourceName, object: JsonObject): void;
  /** A write by someone else: `change` edits a copy, which is stored as an update would be. */
  modify(resource: ResourceName, namespace: string, name: string, change: (object: JsonObject) => void): void;
  /** Deletes an object, as someone else would. */
  remove(resource: ResourceName, namespace: string, name: string): void;
  /** Runs before every PATCH and PUT is handled (null to stop): another writer acting in between. */
  beforeWrite: ((attempt: WriteAttempt) => void) | null;
  /** Answers 403 to `verb` on `resource` (with its subresource: "deployments/scale"), in one namespace or all. */
  forbid(verb: Verb, resource: string, namespace?: string): void;
  allowEverything(): void;
  /** The controllers catch up: status matches spec, observedGeneration matches generation. */
  settle(): void;
  close(): Promise<void>;
}

interface Route {
  resource: ResourceName;
  namespace: string | undefined;
  name: string | undefined;
  subresource: "scale" | undefined;
}

const ACCEPTED_PATCHES = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"];

function routeOf(pathname: string): Route {
  const match = /^\/apis\/([^/]+)\/([^/]+)\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(pathname);
  const resource = match?.[4] as ResourceName | undefined;
  const type = resource ? RESOURCES[resource] : undefined;
  if (!match || !resource || !type || type.group !== match[1] || type.version !== match[2] || (match[5] !== undefined && match[3] === undefined)) {
    throw new ApiFailure(404, "NotFound", "the server could not find the requested resource");
  }
  const subresource = match[6];
  if (subresource !== undefined && !(subresource === "scale" && type.hasScale)) throw new ApiFailure(404, "NotFound", "the server could not find the requested resource");
  return { resource, namespace: match[3], name: match[5], subresource: subresource as "scale" | undefined };
}

const specOf = (object: JsonObject) => JSON.stringify(object.spec ?? null);

/** Answers for `fieldManager` as the API server keeps them: one entry per manager and operation. */
function recordManager(object: JsonObject, manager: string, apiVersion: string, subresource: string | undefined): void {
  const metadata = asObject(object.metadata);
  const entries = (Array.isArray(metadata.managedFields) ? metadata.managedFields : []).filter((entry) => asObject(entry).manager !== manager);
  entries.push({ manager, operation: "Update", apiVersion, time: new Date().toISOString().replace(/\.\d+Z$/, "Z"), ...(subresource ? { subresource } : {}) });
  metadata.managedFields = entries;
  object.metadata = metadata;
}

export async function startKubeApiServer(options: { seed?: Array<[ResourceName, JsonObject]> } = {}): Promise<KubeApiServer> {
  const token = `test-token-${randomUUID()}`;
  const user = "system:serviceaccount:scaleplane:scaleplane";
  const store = new Map<ResourceName, Map<string, JsonObject>>(Object.keys(RESOURCES).map((resource) => [resource as ResourceName, new Map()]));
  let revision = 1000;
  const forbidden: Array<{ verb: Verb; resource: string; namespace: string | undefined }> = [];
  const requests: RecordedRequest[] = [];

  const keyOf = (namespace: string, name: string) => `${namespace}/${name}`;
  const table = (resource: ResourceName) => store.get(resource) as Map<string, JsonObject>;

  function stored(resource: ResourceName, namespace: string, name: string): JsonObject {
    const object = table(resource).get(keyOf(namespace, name));
    if (!object) throw notFound(resource, name);
    return object;
  }

  /** Stores `next` in place of `current` when it differs: new resourceVersion, generation on a spec change. */
  function commit(resource: ResourceName, current: JsonObject, next: JsonObject, dryRun: boolean): JsonObject {
    const comparable = (object: JsonObject) => JSON.stringify({ ...object, metadata: { ...asObject(object.metadata), resourceVersion: null, managedFields: null } });
    // A write that changes nothing is not a write: same resourceVersion, nothing stored.
    if (comparable(current) === comparable(next)) return clone(current);
    const result = clone(next);
    const metadata = asObject(result.metadata);
    metadata.resourceVersion = asObject(current.metadata).resourceVersion ?? null;
    if (specOf(current) !== specOf(next)) metadata.generation = Number(asObject(current.metadata).generation ?? 1) + 1;
    if (dryRun) return result;
    metadata.resourceVersion = String(++revision);
    table(resource).set(keyOf(String(metadata.namespace), String(metadata.name)), result);
    return clone(result);
  }

  function create(resource: ResourceName, object: JsonObject): void {
    const type = RESOURCES[resource];
    const copy = clone(object);
    const metadata = asObject(copy.metadata);
    copy.apiVersion = `${type.group}/${type.version}`;
    copy.kind = type.kind;
    copy.metadata = { ...metadata, uid: randomUUID(), resourceVersion: String(++revision), generation: 1, creationTimestamp: "2026-01-05T09:00:00Z" };
    table(resource).set(keyOf(String(metadata.namespace), String(metadata.name)), copy);
  }

  for (const [resource, object] of options.seed ?? defaultSeed()) create(resource, object);

  function authorize(verb: Verb, route: Route): void {
    const resource = route.subresource ? `${route.resource}/${route.subresource}` : route.resource;
    const denied = forbidden.some((rule) => rule.verb === verb && rule.resource === resource && (rule.namespace === undefined || rule.namespace === route.namespace));
    if (!denied) return;
    const { group } = RESOURCES[route.resource];
    const subject = route.name ? `${qualified(route.resource)} "${route.name}"` : qualified(route.resource);
    const scope = route.namespace ? `in the namespace "${route.namespace}"` : "at the cluster scope";
    throw new ApiFailure(403, "Forbidden", `${subject} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`, {
      ...(route.name ? { name: route.name } : {}),
      group,
      kind: route.resource,
    });
  }

  function list(route: Route, query: URLSearchParams): JsonObject {
    const type = RESOURCES[route.resource];
    const all = [...table(route.resource).values()]
      .filter((object) => route.namespace === undefined || asObject(object.metadata).namespace === route.namespace)
      .sort((a, b) => keyOf(String(asObject(a.metadata).namespace), String(asObject(a.metadata).name)).localeCompare(keyOf(String(asObject(b.metadata).namespace), String(asObject(b.metadata).name))));
    const limit = Number(query.get("limit") ?? 0);
    const token = query.get("continue");
    let start = 0;
    if (token) {
      try {
        start = Number(JSON.parse(Buffer.from(token, "base64url").toString()).start);
      } catch {
        throw new ApiFailure(400, "BadRequest", "continue key is not valid: illegal base64 data");
      }
    }
    const end = limit > 0 ? Math.min(all.length, start + limit) : all.length;
    const metadata: JsonObject = { resourceVersion: String(revision) };
    if (end < all.length) {
      metadata.continue = Buffer.from(JSON.stringify({ start: end })).toString("base64url");
      metadata.remainingItemCount = all.length - end;
    }
    return { kind: `${type.kind}List`, apiVersion: `${type.group}/${type.version}`, metadata, items: all.slice(start, end).map(clone) };
  }

  function scaleOf(object: JsonObject): JsonObject {
    const metadata = asObject(object.metadata);
    return {
      kind: "Scale",
      apiVersion: "autoscaling/v1",
      metadata: { name: metadata.name ?? null, namespace: metadata.namespace ?? null, uid: metadata.uid ?? null, resourceVersion: metadata.resourceVersion ?? null, creationTimestamp: metadata.creationTimestamp ?? null },
      spec: { replicas: asObject(object.spec).replicas ?? 1 },
      status: { replicas: asObject(object.status).replicas ?? 0, selector: `app=${String(metadata.name)}` },
    };
  }

  function patched(document: JsonObject, contentType: string | undefined, body: Json, route: Route): JsonObject {
    const type = RESOURCES[route.resource];
    const accepted = type.builtIn || route.subresource ? ACCEPTED_PATCHES : ACCEPTED_PATCHES.filter((accept) => !accept.startsWith("application/strategic"));
    if (!contentType || !accepted.includes(contentType)) {
      throw new ApiFailure(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`);
    }
    try {
      const result =
        contentType === "application/json-patch+json"
          ? applyJsonPatch(document, body)
          : contentType === "application/merge-patch+json"
            ? applyMergePatch(document, body)
            : applyStrategicMergePatch(document, body);
      if (!isObject(result)) throw new PatchError("the patched document is not an object");
      return result;
    } catch (error) {
      if (error instanceof PatchError) throw new ApiFailure(contentType === "application/json-patch+json" ? 422 : 400, contentType === "application/json-patch+json" ? "Invalid" : "BadRequest", error.message);
      throw error;
    }
  }

  /** The optimistic-concurrency precondition: a resourceVersion in the body must be the stored one. */
  function checkPrecondition(route: Route, current: JsonObject, candidate: JsonObject): void {
    const wanted = asObject(candidate.metadata).resourceVersion;
    const have = asObject(current.metadata).resourceVersion;
    if (wanted !== undefined && wanted !== null && wanted !== "" && wanted !== have) {
      throw new ApiFailure(409, "Conflict", `Operation cannot be fulfilled on ${qualified(route.resource)} "${route.name}": the object has been modified; please apply your changes to the latest version and try again`, {
        name: route.name ?? "",
        group: RESOURCES[route.resource].group,
        kind: route.resource,
      });
    }
  }

  function write(verb: Verb, route: Route, query: URLSearchParams, contentType: string | undefined, body: Json): JsonObject {
    const dryRunValues = query.getAll("dryRun");
    if (dryRunValues.some((value) => value !== "All")) throw new ApiFailure(400, "BadRequest", `Invalid dry run value: ${dryRunValues.join(", ")}`);
    const dryRun = dryRunValues.length > 0;
    const manager = query.get("fieldManager") ?? "unknown";
    const namespace = route.namespace as string;
    const name = route.name as string;
    const type = RESOURCES[route.resource];
    const current = stored(route.resource, namespace, name);

    if (route.subresource === "scale") {
      const scale = scaleOf(current);
      const candidate = verb === "patch" ? patched(scale, contentType, body, route) : asObject(body);
      checkPrecondition(route, current, candidate);
      const replicas = asObject(candidate.spec).replicas;
      if (!isWholeNumber(replicas) || replicas < 0) throw invalid("Scale", "autoscaling", name, [{ field: "spec.replicas", value: replicas ?? null, message: "must be greater than or equal to 0" }]);
      const next = clone(current);
      next.spec = { ...asObject(next.spec), replicas };
      recordManager(next, manager, `${type.group}/${type.version}`, "scale");
      return scaleOf(commit(route.resource, current, next, dryRun));
    }

    const candidate = verb === "patch" ? patched(current, contentType, body, route) : asObject(body);
    checkPrecondition(route, current, candidate);
    const currentMetadata = asObject(current.metadata);
    const next: JsonObject = {
      ...candidate,
      apiVersion: current.apiVersion ?? null,
      kind: current.kind ?? null,
      // Identity and status are the server's: a write through the object's endpoint cannot change them.
      metadata: { ...asObject(candidate.metadata), name, namespace, uid: currentMetadata.uid ?? null, creationTimestamp: currentMetadata.creationTimestamp ?? null, generation: currentMetadata.generation ?? 1 },
      ...(current.status !== undefined ? { status: current.status } : {}),
    };
    if (current.status === undefined) delete next.status;
    const causes = type.validate(next);
    if (causes.length > 0) throw invalid(type.kind, type.group, name, causes);
    recordManager(next, manager, `${type.group}/${type.version}`, undefined);
    return commit(route.resource, current, next, dryRun);
  }

  async function readBody(request: http.IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }

  async function handle(request: http.IncomingMessage): Promise<[number, JsonObject]> {
    const url = new URL(request.url ?? "/", "http://localhost");
    const text = await readBody(request);
    const contentType = request.headers["content-type"]?.split(";")[0]?.trim();
    let body: Json | undefined;
    if (text !== "") {
      try {
        body = JSON.parse(text) as Json;
      } catch {
        throw new ApiFailure(400, "BadRequest", "the request body is not valid JSON");
      }
    }
    requests.push({ method: request.method ?? "", path: url.pathname, query: Object.fromEntries(url.searchParams), contentType, body });
    if (request.headers.authorization !== `Bearer ${token}`) throw new ApiFailure(401, "Unauthorized", "Unauthorized");
    const route = routeOf(url.pathname);
    switch (request.method) {
      case "GET": {
        if (route.name === undefined) {
          authorize("list", route);
          return [200, list(route, url.searchParams)];
        }
        authorize("get", route);
        const object = stored(route.resource, route.namespace as string, route.name);
        return [200, route.subresource === "scale" ? scaleOf(object) : clone(object)];
      }
      case "PATCH":
      case "PUT": {
        if (route.name === undefined) throw new ApiFailure(405, "MethodNotAllowed", `the server does not allow this method on the requested resource`);
        const verb: Verb = request.method === "PATCH" ? "patch" : "update";
        authorize(verb, route);
        server.beforeWrite?.({ verb, resource: route.resource, subresource: route.subresource, namespace: route.namespace as string, name: route.name, dryRun: url.searchParams.has("dryRun") });
        return [200, write(verb, route, url.searchParams, contentType, body ?? null)];
      }
      default:
        throw new ApiFailure(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
    }
  }

  const httpServer = http.createServer((request, response) => {
    handle(request)
      .catch((error: unknown): [number, JsonObject] => {
        const failure = error instanceof ApiFailure ? error : new ApiFailure(500, "InternalError", `an error on the server ("${String(error)}") has prevented the request from succeeding`);
        return [failure.code, failure.toStatus()];
      })
      .then(([status, answer]) => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(answer));
      });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  const folder = mkdtempSync(path.join(os.tmpdir(), "scaleplane-kubeconfig-"));
  const kubeconfigPath = path.join(folder, "config");
  const context = "test-cluster";
  // JSON is YAML; the client reads either. Plain HTTP needs insecure-skip-tls-verify in the client.
  writeFileSync(
    kubeconfigPath,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name: "test", cluster: { server: url, "insecure-skip-tls-verify": true } },
        { name: "elsewhere", cluster: { server: "http://127.0.0.1:9", "insecure-skip-tls-verify": true } },
      ],
      users: [{ name: "scaleplane", user: { token } }],
      contexts: [
        { name: context, context: { cluster: "test", user: "scaleplane" } },
        { name: "elsewhere", context: { cluster: "elsewhere", user: "scaleplane" } },
      ],
      "current-context": "elsewhere",
    }),
  );

  const server: KubeApiServer = {
    url,
    kubeconfigPath,
    context,
    user,
    requests,
    object: (resource, namespace, name) => {
      const object = table(resource).get(keyOf(namespace, name));
      return object ? clone(object) : undefined;
    },
    create,
    modify(resource, namespace, name, change) {
      const current = stored(resource, namespace, name);
      const next = clone(current);
      change(next);
      commit(resource, current, next, false);
    },
    remove(resource, namespace, name) {
      stored(resource, namespace, name);
      table(resource).delete(keyOf(namespace, name));
      revision++;
    },
    beforeWrite: null,
    forbid: (verb, resource, namespace) => void forbidden.push({ verb, resource, namespace }),
    allowEverything: () => void forbidden.splice(0),
    settle() {
      for (const resource of ["deployments", "statefulsets"] as const) {
        for (const object of table(resource).values()) {
          const metadata = asObject(object.metadata);
          const replicas = asObject(object.spec).replicas ?? 1;
          object.status = { ...asObject(object.status), replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas, observedGeneration: metadata.generation ?? 1 };
          metadata.resourceVersion = String(++revision);
        }
      }
    },
    async close() {
      httpServer.closeAllConnections();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      rmSync(folder, { recursive: true, force: true });
    },
  };
  return server;
}

// ── The seed: a few services of a shop ───────────────────────────────────────────────────

/** A Deployment or StatefulSet to seed, `available` of its `replicas` ready. */
export function workload(namespace: string, name: string, replicas: number, available = replicas): JsonObject {
  return {
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name, image: `registry.example.com/${name}:1.4.2`, resources: { requests: { cpu: "250m", memory: "256Mi" } } }] },
      },
    },
    status: { replicas, updatedReplicas: replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}

/** An autoscaling/v2 HPA to seed, scaling the Deployment of the same name. */
export function autoscaler(namespace: string, name: string, minReplicas: number, maxReplicas: number, metrics: Json[], current: number): JsonObject {
  return {
    metadata: { name, namespace },
    spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name }, minReplicas, maxReplicas, metrics, behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } },
    status: { currentReplicas: current, desiredReplicas: current },
  };
}

/**
 * checkout/api (Deployment, 3 replicas, an HPA 2..10 on CPU 70%, memory and requests per second),
 * checkout/worker (Deployment, 2, no HPA), catalog/search (StatefulSet, 3), catalog/indexer
 * (Deployment, 1, an HPA on an external queue metric only), and web/storefront, an HTTPRoute
 * whose first rule splits /api between storefront-eu-west-1 (70), storefront-us-east-1 (30)
 * and storefront-maintenance (0).
 */
export function defaultSeed(): Array<[ResourceName, JsonObject]> {
  return [
    ["deployments", workload("checkout", "api", 3)],
    ["deployments", workload("checkout", "worker", 2, 1)],
    ["statefulsets", workload("catalog", "search", 3)],
    ["deployments", workload("catalog", "indexer", 1)],
    [
      "horizontalpodautoscalers",
      autoscaler(
        "checkout",
        "api",
        2,
        10,
        [
          { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
          { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "500Mi" } } },
          { type: "Pods", pods: { metric: { name: "http_requests_per_second" }, target: { type: "AverageValue", averageValue: "100" } } },
        ],
        3,
      ),
    ],
    [
      "horizontalpodautoscalers",
      autoscaler("catalog", "indexer", 1, 5, [{ type: "External", external: { metric: { name: "queue_depth", selector: { matchLabels: { queue: "index" } } }, target: { type: "AverageValue", averageValue: "30" } } }], 1),
    ],
    [
      "httproutes",
      {
        metadata: { name: "storefront", namespace: "web" },
        spec: {
          parentRefs: [{ name: "public", namespace: "gateways" }],
          hostnames: ["shop.example.com"],
          rules: [
            {
              matches: [{ path: { type: "PathPrefix", value: "/api" } }],
              backendRefs: [
                { name: "storefront-eu-west-1", port: 8080, weight: 70 },
                { name: "storefront-us-east-1", port: 8080, weight: 30 },
                { name: "storefront-maintenance", port: 8080, weight: 0 },
              ],
              timeouts: { request: "10s" },
            },
            { matches: [{ path: { type: "PathPrefix", value: "/" } }], backendRefs: [{ name: "static", port: 80 }] },
          ],
        },
        status: { parents: [] },
      },
    ],
  ];
}

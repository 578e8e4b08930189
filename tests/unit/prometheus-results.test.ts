// Reading Prometheus's answers: result types, special values, and errors mapped to what a page can act on.
import { describe, expect, it } from "vitest";
import { abbreviateQuery, errorFromFetchFailure, errorFromHttpResponse, PrometheusError } from "../../server/adapters/prometheus/errors";
import { parseQueryData, parseSampleValue, vectorSamples } from "../../server/adapters/prometheus/results";

const BASE = "http://prometheus:9090";

describe("Prometheus results", () => {
  it("reads a vector into samples with epoch-millisecond times", () => {
    const result = parseQueryData({
      status: "success",
      data: { resultType: "vector", result: [{ metric: { service_name: "checkout" }, value: [1764237600.123, "12.5"] }] },
    });
    expect(result).toEqual({ resultType: "vector", samples: [{ labels: { service_name: "checkout" }, time: 1764237600123, value: 12.5 }], warnings: [] });
  });

  it("reads a matrix, a scalar and a string, and keeps warnings", () => {
    const matrix = parseQueryData({
      status: "success",
      warnings: ["PromQL info: metric might not be a counter"],
      data: { resultType: "matrix", result: [{ metric: {}, values: [[1, "1"], [2, "NaN"], [3, "+Inf"]] }] },
    });
    expect(matrix.resultType === "matrix" && matrix.series[0]?.points.map((point) => point.value)).toEqual([1, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(matrix.warnings).toEqual(["PromQL info: metric might not be a counter"]);
    expect(parseQueryData({ status: "success", data: { resultType: "scalar", result: [5, "-Inf"] } })).toMatchObject({ resultType: "scalar", time: 5000, value: Number.NEGATIVE_INFINITY });
    expect(parseQueryData({ status: "success", data: { resultType: "string", result: [5, "hello"] } })).toMatchObject({ resultType: "string", value: "hello" });
    expect(vectorSamples(parseQueryData({ status: "success", data: { resultType: "scalar", result: [5, "2"] } }))).toEqual([{ labels: {}, time: 5000, value: 2 }]);
  });

  it("spells special values as Go does", () => {
    expect(parseSampleValue("NaN")).toBeNaN();
    expect(parseSampleValue("+Inf")).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleValue("-Inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseSampleValue("1e+06")).toBe(1_000_000);
    expect(() => parseSampleValue("twelve")).toThrow(PrometheusError);
  });

  it("calls an answer it cannot read a bad_response", () => {
    for (const body of [null, "text", { status: "error" }, { status: "success" }, { status: "success", data: { resultType: "histogram", result: [] } }, { status: "success", data: { resultType: "vector", result: [{ metric: {}, value: ["x", "1"] }] } }]) {
      expect(() => parseQueryData(body)).toThrow(expect.objectContaining({ kind: "bad_response" }));
    }
  });

  it("maps HTTP answers to kinds, quoting Prometheus's reason", () => {
    const body = (errorType: string, error: string) => JSON.stringify({ status: "error", errorType, error });
    expect(errorFromHttpResponse(400, body("bad_data", 'parse error: unexpected ")"'), "sum(x))", BASE)).toMatchObject({
      kind: "bad_query",
      message: 'Prometheus rejected the query: parse error: unexpected ")" (query: sum(x)))',
      details: { status: 400, errorType: "bad_data" },
    });
    expect(errorFromHttpResponse(422, body("execution", "many-to-many matching not allowed"), "a + b", BASE)).toMatchObject({
      kind: "execution",
      message: "Prometheus could not execute the query: many-to-many matching not allowed (query: a + b)",
    });
    expect(errorFromHttpResponse(503, body("timeout", "query timed out in expression evaluation"), "slow", BASE)).toMatchObject({
      kind: "timeout",
      message: "Prometheus gave up on the query at its timeout: query timed out in expression evaluation (query: slow)",
    });
    expect(errorFromHttpResponse(503, body("unavailable", "TSDB not ready"), "up", BASE).kind).toBe("unavailable");
    expect(errorFromHttpResponse(502, "<html>Bad Gateway</html>", "up", BASE).message).toBe(`Prometheus at ${BASE} is unavailable (HTTP 502): <html>Bad Gateway</html>`);
    expect(errorFromHttpResponse(404, "404 page not found", "up", BASE).message).toMatch(/HTTP 404.*is the Prometheus URL right/);
    expect(errorFromHttpResponse(401, "", "up", BASE).message).toMatch(/HTTP 401: HTTP 401 — check the credentials/);
  });

  it("maps timeouts and socket errors", () => {
    const timeout = new DOMException("The operation was aborted due to timeout", "TimeoutError");
    expect(errorFromFetchFailure(timeout, BASE, 2500, "up")).toMatchObject({ kind: "timeout", message: `Prometheus at ${BASE} did not answer within 2.5 s (query: up)` });
    const refused = new TypeError("fetch failed", { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    expect(errorFromFetchFailure(refused, BASE, 1000, "up")).toMatchObject({ kind: "unavailable", message: `Prometheus at ${BASE} refused the connection (is it running?)` });
    const unknownHost = new TypeError("fetch failed", { cause: Object.assign(new Error("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }) });
    expect(errorFromFetchFailure(unknownHost, BASE, 1000, "up").message).toBe(`Prometheus at ${BASE} has a host name that does not resolve`);
    const bothFamilies = new TypeError("fetch failed", { cause: new AggregateError([Object.assign(new Error("x"), { code: "ECONNREFUSED" })]) });
    expect(errorFromFetchFailure(bothFamilies, BASE, 1000, "up").message).toMatch(/refused the connection/);
  });

  it("abbreviates long queries in messages", () => {
    const long = `sum by (service_name) (rate(http_server_request_duration_seconds_count{service_name=~"${"a|".repeat(200)}b"}[1m]))`;
    expect(abbreviateQuery(long)).toHaveLength(160);
    expect(abbreviateQuery("sum(\n  up\n)")).toBe("sum( up )");
  });
});

// Redis's glob patterns (SCAN MATCH, KEYS) as a matcher on this side, for counting the keys of
// a sample that a pattern matches. The server matches bytes: `*` any run of bytes, `?` one
// byte, `[abc]` `[a-z]` `[^a]` one byte of a set (`\` escapes inside it too), `\x` the byte x.
// Keys and pattern are compared as latin1 strings, one character per byte, so a multibyte
// UTF-8 character counts as several bytes, as on the server. An unterminated `[` set ends at
// the end of the pattern, and `[]` matches nothing, as Redis does.

function byte(character: string): string {
  return `\\x${character.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

const ANY_BYTE = "[\\s\\S]";

/** A `[...]` set starting at `start` (the `[`): its regex and where the pattern continues. */
function setAt(pattern: string, start: number): { regex: string; next: number } {
  let index = start + 1;
  const negated = pattern[index] === "^";
  if (negated) index += 1;
  const members: string[] = [];
  while (index < pattern.length) {
    const character = pattern[index] as string;
    if (character === "\\" && index + 1 < pattern.length) {
      members.push(byte(pattern[index + 1] as string));
      index += 2;
    } else if (character === "]") {
      index += 1;
      break;
    } else if (pattern[index + 1] === "-" && index + 2 < pattern.length) {
      const ends = [character, pattern[index + 2] as string].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
      members.push(`${byte(ends[0] as string)}-${byte(ends[1] as string)}`);
      index += 3;
    } else {
      members.push(byte(character));
      index += 1;
    }
  }
  if (members.length === 0) return { regex: negated ? ANY_BYTE : "(?!)", next: index };
  return { regex: `[${negated ? "^" : ""}${members.join("")}]`, next: index };
}

/** The pattern as a RegExp over latin1 strings: one character per byte of the key. */
function redisGlobRegExp(pattern: string): RegExp {
  const bytes = Buffer.from(pattern, "utf8").toString("latin1");
  let regex = "";
  let index = 0;
  while (index < bytes.length) {
    const character = bytes[index] as string;
    if (character === "*") {
      regex += `${ANY_BYTE}*`;
      while (bytes[index] === "*") index += 1;
    } else if (character === "?") {
      regex += ANY_BYTE;
      index += 1;
    } else if (character === "\\" && index + 1 < bytes.length) {
      regex += byte(bytes[index + 1] as string);
      index += 2;
    } else if (character === "[") {
      const set = setAt(bytes, index);
      regex += set.regex;
      index = set.next;
    } else {
      regex += byte(character);
      index += 1;
    }
  }
  return new RegExp(`^${regex}$`);
}

/** A matcher for keys as SCAN returns them (Buffers keep binary keys intact). */
export function redisGlobMatcher(pattern: string): (key: Buffer) => boolean {
  const regex = redisGlobRegExp(pattern);
  return (key) => regex.test(key.toString("latin1"));
}

// Maps an identity provider's groups to role grants, from OIDC_GROUP_ROLES.
import { parseScope, ROLES, type Role, type RoleGrant } from "../domain/permissions";

/** `group=role[@environment[/namespace]]`, comma separated, e.g. `sre=approver@prod/*,devs=operator@staging`. */
export function parseGroupRoleMap(text: string): Map<string, RoleGrant[]> {
  const map = new Map<string, RoleGrant[]>();
  for (const entry of text.split(",").map((part) => part.trim()).filter(Boolean)) {
    const match = /^([^=]+)=([a-z]+)(?:@(.+))?$/.exec(entry);
    if (!match) throw new Error(`OIDC_GROUP_ROLES: "${entry}" must look like group=role[@environment[/namespace]]`);
    const [, group, role, scopeText] = match as unknown as [string, string, string, string | undefined];
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`OIDC_GROUP_ROLES: unknown role "${role}" in "${entry}"`);
    const scope = parseScope(scopeText ?? "*");
    map.set(group, [...(map.get(group) ?? []), { role: role as Role, ...scope }]);
  }
  return map;
}

export function grantsForGroups(groups: readonly string[], map: Map<string, RoleGrant[]>): RoleGrant[] {
  const seen = new Set<string>();
  return groups.flatMap((group) => map.get(group) ?? []).filter((grant) => {
    const key = `${grant.role}|${grant.environment}|${grant.namespace}`;
    return !seen.has(key) && seen.add(key);
  });
}

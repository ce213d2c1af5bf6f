import { isJsonObject, type JsonObject, type JsonValue } from '@quanta/model';
import { arrayField, stringField } from './json-access.ts';

/**
 * The members of a document's team, in either form the standards use: ODCS v3.1 and ODPS
 * v1.0 write `team: {members: [...]}`, ODCS v3.0 and ODPS v0.9 write `team: [...]`.
 */
export function teamMembers(document: JsonObject): { members: JsonObject[]; path: (string | number)[] } {
  const team = document.team;
  if (Array.isArray(team)) return { members: team.filter(isJsonObject), path: ['team'] };
  return { members: arrayField(team, 'members').filter(isJsonObject), path: ['team', 'members'] };
}

/** The owner: the username (or name) of the first team member whose role is `owner`. */
export function ownerOf(document: JsonObject): string | undefined {
  const owner = teamMembers(document).members.find(isOwner);
  return owner ? (stringField(owner, 'username') ?? stringField(owner, 'name')) : undefined;
}

function isOwner(member: JsonValue): boolean {
  return stringField(member, 'role')?.trim().toLowerCase() === 'owner';
}

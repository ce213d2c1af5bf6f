/** A LIKE pattern (with `ESCAPE '!'`) matching every text that starts with `prefix`. */
export function likePrefix(prefix: string): string {
  return `${prefix.replace(/[!%_]/g, (char) => `!${char}`)}%`;
}

/** Builds a WHERE clause from optional conditions, each with its parameters. */
export function whereClause(conditions: readonly (readonly [string, ...(string | number)[]] | undefined)[]): {
  sql: string;
  params: (string | number)[];
} {
  const present = conditions.filter((condition) => condition !== undefined);
  return {
    sql: present.length > 0 ? `WHERE ${present.map(([sql]) => sql).join(' AND ')}` : '',
    params: present.flatMap(([, ...params]) => params),
  };
}

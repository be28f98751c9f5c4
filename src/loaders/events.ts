/** Event names are codes: compared trimmed and upper-cased. */
export const eventKey = (name: string): string => name.trim().toUpperCase();

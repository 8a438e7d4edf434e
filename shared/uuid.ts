/** A UUID in its text form, in either case (RFC 9562: case-insensitive on input). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A UUID in the lower case RFC 9562 asks for on output and Postgres prints; anything else as it
 * came, for the step that validates it to refuse.
 */
export const canonicalUuid = (value: string): string => (UUID.test(value) ? value.toLowerCase() : value);

// Names that reach SQL as identifiers (database names) cannot be bound as parameters, so they are
// checked against a strict pattern instead and then quoted.

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/

export function checkIdentifier(name: string, what = 'database name'): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(
      `invalid ${what} "${name}": use letters, digits and _ (not starting with a digit), up to 64`,
    )
  }
  return name
}

export function quoteIdentifier(name: string): string {
  return `\`${checkIdentifier(name)}\``
}

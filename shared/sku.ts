/** What a SKU may be: 1–64 letters, digits, dot, dash or underscore (intake refuses any other). */
export const SKU_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

export const isValidSku = (sku: string): boolean => SKU_PATTERN.test(sku);

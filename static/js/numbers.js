// Numbers as people type them in each language, by the rules of quizzes/numbers.py: "1,440" is 1440 in English
// and 1.44 in Italian. Returns the number as a plain decimal string ("1440", "-0.5"), or null.

const SEPARATORS = { en: [".", ","], it: [",", "."], es: [",", "."], de: [",", "."], pl: [",", "."] };
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export function separatorsFor(language) {
  return SEPARATORS[(language || "en").split("-")[0].toLowerCase()] ?? SEPARATORS.en;
}

function plain(text) {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || !(match[2] || match[3])) return null;
  const [, sign, whole, fraction = ""] = match;
  const integer = (whole || "0").replace(/^0+(?=\d)/, "");
  const decimals = fraction.replace(/0+$/, "");
  const result = `${integer}${decimals ? `.${decimals}` : ""}`;
  return result === "0" ? "0" : `${sign === "-" ? "-" : ""}${result}`;
}

export function parseNumber(text, language) {
  const [decimal, group] = separatorsFor(language);
  const compact = String(text)
    .trim()
    .replace(/[\s\u00a0\u202f']/g, "");
  const grouped = new RegExp(`^([+-]?\\d{1,3}(?:${escapeRegExp(group)}\\d{3})+)(${escapeRegExp(decimal)}\\d+)?$`).exec(
    compact,
  );
  if (grouped) return plain(grouped[1].split(group).join("") + (grouped[2] ?? "").replace(decimal, "."));
  if (/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(compact)) return plain(compact.replace(",", "."));
  return null;
}

// The plain number written with the language's decimal separator, without digit groups: "= 1440", "= 1,44".
export function showNumber(plainNumber, language) {
  const [decimal] = separatorsFor(language);
  return plainNumber.replace(".", decimal);
}

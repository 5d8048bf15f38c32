/** Number and time formatting for the dialog; fixed locale so server and browser agree and tests can read it. */
const numberFormat = new Intl.NumberFormat("en-US");
const timeFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "UTC" });

export const formatCount = (n: number) => numberFormat.format(n);

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "never";
  return `${timeFormat.format(new Date(iso))} UTC`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

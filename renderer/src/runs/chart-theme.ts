/** Chart colours from the app's CSS variables, so the charts follow the light and dark themes. */

export interface ChartTheme {
  fg: string;
  muted: string;
  grid: string;
  bg: string;
  /** One colour per vendor, in vendor-name order. */
  palette: string[];
  /** The target side (overall p95) and the problem kinds. */
  target: string;
  errors: string;
  timeouts: string;
  retries: string;
  bar: string;
  barCompared: string;
}

const LIGHT = ['#2f6fed', '#d9480f', '#1b7f3b', '#8b3fd1', '#c2255c', '#0b7285'];
const DARK = ['#6ea1ff', '#ff9650', '#5fd37a', '#c297ff', '#f778ba', '#3bc9db'];

function cssVar(name: string, fallback: string): string {
  const v = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return v === '' ? fallback : v;
}

export function chartTheme(dark: boolean): ChartTheme {
  return {
    fg: cssVar('--fg', dark ? '#e3e6eb' : '#1d2129'),
    muted: cssVar('--fg-muted', dark ? '#9aa1ad' : '#646b78'),
    grid: dark ? 'rgba(255,255,255,0.08)' : 'rgba(0,0,0,0.07)',
    bg: cssVar('--bg', dark ? '#1b1d22' : '#ffffff'),
    palette: dark ? DARK : LIGHT,
    target: cssVar('--fg', dark ? '#e3e6eb' : '#1d2129'),
    errors: cssVar('--error', dark ? '#ff7b72' : '#c4271b'),
    timeouts: cssVar('--warn', dark ? '#e3b341' : '#8a5a00'),
    retries: cssVar('--fault', dark ? '#c297ff' : '#8b3fd1'),
    bar: cssVar('--accent', dark ? '#5b8ff9' : '#2f6fed'),
    barCompared: dark ? '#ff9650' : '#d9480f',
  };
}

export function vendorColour(
  theme: ChartTheme,
  vendors: readonly string[],
  vendor: string,
): string {
  const i = vendors.indexOf(vendor);
  return theme.palette[(i < 0 ? 0 : i) % theme.palette.length] as string;
}

/**
 * The pairs the simulator lists: legacy QUOTE-first names with the sparse numeric ids the legacy
 * exchange used, and a plausible mid price each. The first entries are chosen so that even a
 * handful of pairs covers prices above 1000, prices below 0.0001 and sizes beyond a double's
 * precision.
 */

/** One listed pair before any trading: name, legacy id, and mid price in 1e-8 units. */
export interface CatalogEntry {
  readonly name: string;
  readonly id: number;
  readonly mid: bigint;
}

const entries: ReadonlyArray<readonly [string, number, bigint]> = [
  ['BTC_ETH', 148, 2_104_500n], // 0.021045
  ['USDT_BTC', 121, 912_345_000_000n], // 9123.45
  ['BTC_DOGE', 27, 31n], // 0.00000031: few price levels, huge sizes
  ['BTC_XRP', 117, 2_612n],
  ['USDT_ETH', 149, 19_214_000_000n],
  ['BTC_LTC', 50, 652_100n],
  ['BTC_XMR', 114, 786_000n],
  ['BTC_STR', 89, 712n],
  ['USDT_DOGE', 216, 227_000n],
  ['BTC_DASH', 24, 1_034_000n],
  ['BTC_ZEC', 178, 520_000n],
  ['BTC_ETC', 171, 90_100n],
  ['BTC_BCH', 189, 3_251_000n],
  ['USDT_BCH', 191, 29_612_000_000n],
  ['USDT_LTC', 123, 5_945_000_000n],
  ['USDT_XRP', 127, 23_810_000n],
  ['USDT_XMR', 126, 7_160_000_000n],
  ['USDT_DASH', 122, 9_430_000_000n],
  ['USDT_ZEC', 180, 4_745_000_000n],
  ['USDT_ETC', 173, 822_000_000n],
  ['USDT_STR', 125, 650_000n],
  ['BTC_SC', 150, 152n],
  ['BTC_EOS', 201, 41_300n],
  ['USDT_EOS', 203, 377_000_000n],
  ['BTC_LSK', 163, 11_020n],
  ['BTC_BAT', 210, 2_390n],
  ['USDT_BAT', 212, 21_800_000n],
  ['BTC_OMG', 196, 8_450n],
  ['BTC_ZRX', 192, 2_210n],
  ['USDT_ZRX', 220, 20_150_000n],
  ['BTC_DCR', 162, 226_000n],
  ['BTC_REP', 174, 129_000n],
  ['BTC_XEM', 112, 490n],
  ['BTC_MAID', 51, 1_120n],
  ['BTC_GNT', 185, 510n],
  ['BTC_STRAT', 182, 2_650n],
  ['BTC_ARDR', 177, 530n],
  ['BTC_KNC', 207, 2_700n],
  ['BTC_SNT', 204, 190n],
  ['BTC_QTUM', 221, 16_900n],
  ['BTC_DGB', 25, 71n],
  ['BTC_BTS', 14, 245n],
  ['BTC_VTC', 100, 2_900n],
  ['BTC_PPC', 75, 3_050n],
  ['BTC_NMC', 64, 5_040n],
  ['BTC_XPM', 116, 1_730n],
  ['BTC_TRX', 263, 196n],
  ['USDT_TRX', 265, 201_000n],
  ['XMR_LTC', 137, 83_100_000n],
  ['ETH_ETC', 172, 4_280_000n],
  ['ETH_ZEC', 179, 24_700_000n],
  ['ETH_REP', 176, 6_100_000n],
  ['USDC_BTC', 224, 912_001_000_000n],
  ['USDC_USDT', 226, 100_120_000n],
  ['USDC_ETH', 225, 19_200_000_000n],
];

/** The real pairs the simulator lists, most useful first. */
export const catalog: readonly CatalogEntry[] = entries.map(([name, id, mid]) => ({ name, id, mid }));

/** Most pairs a simulator lists: the real ones, then made-up coins SIMAAA to SIMZZZ. */
export const MAX_PAIRS = catalog.length + 26 ** 3;

/**
 * The first `count` listed pairs. Beyond the real catalog come made-up coins for load tests
 * (BTC_SIMAAA, USDT_SIMAAB, ...), priced like the real pair in the same position, with sparse
 * ids from 1000 up so they never collide with real ones.
 */
export function listedPairs(count: number): CatalogEntry[] {
  const listed = catalog.slice(0, count);
  for (let n = 0; listed.length < count; n++) {
    const model = catalog[n % catalog.length]!;
    const coin = [26 * 26, 26, 1].map((unit) => String.fromCharCode(65 + (Math.floor(n / unit) % 26))).join('');
    listed.push({ name: `${model.name.split('_')[0]}_SIM${coin}`, id: 1000 + 7 * n, mid: model.mid });
  }
  return listed;
}

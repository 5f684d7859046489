/**
 * Lines that only appear while a board boots, so seeing one mid-stream means it rebooted (watchdog, brown-out,
 * reset button, crash) and needs a new handshake. Each is anchored at the start of the line and specific enough
 * not to occur in result output or in `AT+INFO` (`* Edge Impulse firmware *` does not match):
 * - Edge Impulse firmware `main()`: `Hello from Edge Impulse ...` and its `Type AT+HELP to see a list of commands.`
 * - Edge Impulse standalone / Arduino examples: `Edge Impulse standalone inferencing ...`, `Edge Impulse Inferencing Demo`
 * - ESP32 ROM bootloader: `rst:0x1 (POWERON_RESET),boot:...`, `ets Jun  8 2016 ...`, `ESP-ROM:esp32s3-...`
 * - ESP-IDF second stage bootloader: `I (29) boot: ESP-IDF v5.1 2nd stage bootloader`
 * - Zephyr / nRF Connect SDK (Nordic boards): `*** Booting Zephyr OS build ...`, `*** Booting nRF Connect SDK ...`
 */
const BANNERS: RegExp[] = [
  /^Hello from Edge Impulse/i,
  /^Type AT\+HELP to see a list of commands/i,
  /^Edge Impulse standalone inferencing/i,
  /^Edge Impulse Inferencing Demo/i,
  /^rst:0x[0-9a-f]+ \(/i,
  /^ets [A-Z][a-z]{2} [ \d]\d \d{4}/,
  /^ESP-ROM:/,
  /^[IWE] \(\d+\) boot: /,
  /^\*\*\* Booting (?:Zephyr|nRF Connect SDK)/,
];

export function isBootBanner(line: string): boolean {
  return BANNERS.some((pattern) => pattern.test(line));
}

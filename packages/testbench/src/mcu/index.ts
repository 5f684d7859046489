export { McuEmulator } from './mcu-emulator';
export type { McuEmulatorOptions } from './mcu-emulator';
export { EmulatedFirmware } from './emulated-firmware';
export type { EmulatedFirmwareOptions } from './emulated-firmware';
export { DEFAULT_BOOT_BANNER, DEFAULT_IDENTITY } from './firmware-texts';
export type { FirmwareIdentity } from './firmware-texts';
export { FIRMWARE_RESULT_BLOCKS } from './firmware-result-blocks';
export type { FirmwareResultBlock } from './firmware-result-blocks';
export { SocatPtyPair } from './socat-pty-pair';

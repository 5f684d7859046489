import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCamera } from '../../src/input/resolve-camera';

describe('resolveCamera', () => {
  const sysfs = mkdtempSync(join(tmpdir(), 'ei-gg-v4l-'));
  for (const [device, name] of [
    ['video0', 'Integrated Camera: Integrated C'],
    ['video2', 'HD Pro Webcam C920'],
    ['video3', 'HD Pro Webcam C920 (meta)'],
  ]) {
    mkdirSync(join(sysfs, device));
    writeFileSync(join(sysfs, device, 'name'), `${name}\n`);
  }

  it('takes a device path as is', () => {
    expect(resolveCamera('/dev/video7', sysfs)).toBe('/dev/video7');
  });

  it('finds a camera by name, exact match first, then partial, any case', () => {
    expect(resolveCamera('hd pro webcam c920', sysfs)).toBe('/dev/video2');
    expect(resolveCamera('integrated', sysfs)).toBe('/dev/video0');
  });

  it('names the cameras it has when none matches', () => {
    expect(() => resolveCamera('Logitech Brio', sysfs)).toThrow(
      'no camera named "Logitech Brio"; cameras here: Integrated Camera: Integrated C (/dev/video0), HD Pro Webcam C920 (/dev/video2), HD Pro Webcam C920 (meta) (/dev/video3)',
    );
    expect(() => resolveCamera('x', join(sysfs, 'missing'))).toThrow('no camera named "x"; cameras here: none');
  });
});

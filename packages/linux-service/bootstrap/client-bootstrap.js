'use strict';
/**
 * Preloaded into the edge-impulse-linux client (`node --require <this> linux.js ...`) by ei-gg-linux-service,
 * before any of the client's own code runs. Plain JavaScript: it runs inside the client's process.
 *
 * 1. The API key. The client takes a key only as `--api-key` (or reads Secrets Manager itself in its
 *    `--greengrass` mode). The service writes it to a 0600 file in the client's private home, named by
 *    EI_GG_API_KEY_FILE; it is read and deleted here, and added to the client's in-memory `process.argv`
 *    only: the kernel's copy of the command line (/proc/<pid>/cmdline, `ps`) never holds it.
 * 2. Prompts. With no terminal an inquirer prompt would wait forever. The device-name question of a new
 *    device is answered with EI_GG_DEVICE_NAME (the component's unique name); with several cameras or
 *    microphones the first one the client lists is taken, and said on stderr; any other question fails
 *    with a message naming it, so the client exits and the service reports why.
 */
const fs = require('fs');
const path = require('path');

const keyFile = process.env.EI_GG_API_KEY_FILE;
delete process.env.EI_GG_API_KEY_FILE;
if (keyFile) {
  const apiKey = fs.readFileSync(keyFile, 'utf8').trim();
  fs.unlinkSync(keyFile);
  process.argv.splice(2, 0, '--api-key', apiKey);
}

const deviceName = process.env.EI_GG_DEVICE_NAME;
const SELECTIONS = { camera: '--camera', microphone: '--microphone' };

// The client's own copy of inquirer (resolved from its entry), so the instance it calls is the one changed here.
const inquirer = require(require.resolve('inquirer', { paths: [path.dirname(process.argv[1])] }));
const prompt = inquirer.prompt;

async function answer(questions) {
  const answers = {};
  for (const question of [].concat(questions)) {
    if (question.name === 'nameDevice' && deviceName) {
      answers.nameDevice = deviceName;
    } else if (SELECTIONS[question.name] && Array.isArray(question.choices) && question.choices.length > 0) {
      const first = question.choices[0];
      answers[question.name] = typeof first === 'object' ? first.value : first;
      console.error(
        `[ei-gg] several ${question.name}s found; using "${answers[question.name]}" (choose one with ${SELECTIONS[question.name]} in eiparams)`,
      );
    } else {
      throw new Error(`[ei-gg] the client asked "${question.message}", which cannot be answered without a terminal`);
    }
  }
  return answers;
}

// registerPrompt and friends live on the prompt function itself: keep them.
inquirer.prompt = Object.assign(answer, prompt);

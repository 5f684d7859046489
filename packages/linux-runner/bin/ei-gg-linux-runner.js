#!/usr/bin/env node
// Linked into node_modules/.bin by npm workspaces at install; the compiled code appears after the build.
require('../dist/main.js');

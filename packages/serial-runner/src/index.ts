export * from './parser';
export * from './at';
export * from './errors';
export * from './board/discover-serial-port';
export * from './board/open-serial-port';
export * from './board/serial-board-pipeline';
export * from './serial-runner-component';

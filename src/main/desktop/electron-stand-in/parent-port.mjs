// Loaded with --import into a Node child forked by the stand-in's
// utilityProcess.fork: gives the child the process.parentPort an Electron
// utility process has, over Node's IPC channel. Messages that arrive before
// the module listens are queued, as Electron's port queues them.
import { EventEmitter } from 'node:events';

const port = new EventEmitter();
const queued = [];
let listening = false;

port.postMessage = (message) => {
  // The parent may have gone; a utility process's postMessage then goes nowhere, silently.
  if (process.connected) process.send(message, undefined, undefined, () => {});
};
port.on('newListener', (event) => {
  if (event !== 'message' || listening) return;
  listening = true;
  queueMicrotask(() => {
    for (const data of queued.splice(0)) port.emit('message', { data, ports: [] });
  });
});
process.on('message', (data) => {
  if (listening) port.emit('message', { data, ports: [] });
  else queued.push(data);
});
// A utility process ends with its parent.
process.on('disconnect', () => process.exit(0));
process.parentPort = port;

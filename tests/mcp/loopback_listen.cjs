// Preloaded into node (`node -r tests/mcp/loopback_listen.cjs ...`, or via
// NODE_OPTIONS) by the tests that start third-party MCP servers: every TCP
// server the process opens listens on 127.0.0.1 only, whatever host it asked
// for. server-everything's HTTP mode and the conformance suite's scenario
// servers bind all interfaces and have no option to say otherwise.
//
// Once listening, each server prints "keel-loopback-listening <port>" on
// stderr, so a test can start it on port 0 and read the port it got.
'use strict';
const net = require('net');

const LOOPBACK = '127.0.0.1';
const originalListen = net.Server.prototype.listen;

// A TCP server handle already bound to 127.0.0.1:port, or null. Handing
// listen() a bound handle keeps it synchronous: given a host, listen() looks
// it up first, and callers that read server.address() right after listen()
// (the conformance suite does) would find no address yet.
function loopbackHandle(port) {
  try {
    const { TCP, constants } = process.binding('tcp_wrap');
    const handle = new TCP(constants.SERVER);
    if (handle.bind(LOOPBACK, port) !== 0) {
      handle.close();
      return null;
    }
    return handle;
  } catch (e) {
    return null;
  }
}

function isPort(value) {
  return typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value));
}

net.Server.prototype.listen = function (...args) {
  if (args[0] !== null && typeof args[0] === 'object' && !Array.isArray(args[0]) &&
      args[0].path === undefined && typeof args[0].listen !== 'function') {
    // listen(options[, callback])
    args[0] = Object.assign({}, args[0], { host: LOOPBACK });
  } else if (isPort(args[0]) || args.length === 0 || typeof args[0] === 'function') {
    // listen([port][, host][, backlog][, callback])
    const port = isPort(args[0]) ? Number(args[0]) : 0;
    const rest = isPort(args[0]) ? args.slice(1) : args;
    if (typeof rest[0] === 'string') rest.shift();  // the host asked for
    const handle = loopbackHandle(port);
    // Without a handle (a port in use, say), the host form reports the error.
    args = handle ? [handle, ...rest] : [port, LOOPBACK, ...rest];
  }  // else a Unix socket path or a handle: not a TCP port, left alone
  this.once('listening', () => {
    const address = this.address();
    if (address && typeof address === 'object') {
      process.stderr.write(`keel-loopback-listening ${address.port}\n`);
    }
  });
  return originalListen.apply(this, args);
};

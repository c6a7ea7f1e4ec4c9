#!/usr/bin/env node
// Starts the gateway's jar with the user's Java for an MCP Bundle host (Claude Desktop ships Node,
// not Java). Usage: node launch.js <JVM options...> -jar <jar> [server arguments...]
//
// - Finds java: the bundle's "Java installation" setting, JAVA_HOME, PATH, then the usual install
//   places; takes the first that is Java 17 or newer and says clearly on stderr when none is.
// - Cleans the environment the host passes: a setting left empty arrives as "" or as the literal
//   "${user_config.x}" (hosts differ); both are removed so the server sees it as not set.
// - Sandbox on: adds --sandbox and drops the Twilio and tunnel settings, which the sandbox ignores.
// - The JVM gets stdin, stdout and stderr as they are (stdout carries JSON-RPC only) and this
//   process exits with the JVM's status.
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const MIN_JAVA = 17;
const WINDOWS = process.platform === 'win32';
const JAVA_EXE = WINDOWS ? 'java.exe' : 'java';
const SERVER_SETTING = /^(TWILIO_[A-Z_]+|NGROK_[A-Z_]+|AGENTPAY_[A-Z_]+|PUBLIC_URL|CALLBACK_PORT|CALLBACK_HOST|CURRENCY|TOKEN_TYPE|PAYMENT_CONNECTOR|SESSION_TTL|TUNNEL_CHECK_INTERVAL)$/;
const SANDBOX_IGNORES = ['TWILIO_ACCOUNT_SID', 'TWILIO_API_KEY', 'TWILIO_API_SECRET', 'TWILIO_AUTH_TOKEN',
  'PUBLIC_URL', 'NGROK_AUTH_TOKEN', 'NGROK_CUSTOM_DOMAIN'];

function fail(message) {
  process.stderr.write(`twilio-agent-payments: ${message}\n`);
  process.exit(1);
}

/** The host's environment without settings left empty or unsubstituted. */
function cleanEnvironment(env) {
  const clean = {};
  for (const [name, value] of Object.entries(env)) {
    const unset = value === undefined || /^\$\{user_config\.[^}]*\}$/.test(value)
      || (SERVER_SETTING.test(name) && value.trim() === '');
    if (!unset) clean[name] = value;
  }
  return clean;
}

/** "17.0.15" -> 17, "1.8.0_292" -> 8, "21" -> 21, anything else -> null. */
function featureVersion(version) {
  const match = /^(\d+)(?:\.(\d+))?/.exec(version || '');
  if (!match) return null;
  const major = Number(match[1]);
  return major === 1 && match[2] !== undefined ? Number(match[2]) : major;
}

/** The Java version of an executable: from its installation's release file, else from java -version. */
function javaVersion(java) {
  try {
    const home = path.dirname(path.dirname(fs.realpathSync(java)));
    const release = fs.readFileSync(path.join(home, 'release'), 'utf8');
    const match = /^JAVA_VERSION="([^"]+)"/m.exec(release);
    if (match) return featureVersion(match[1]);
  } catch (e) {
    // no release file (a wrapper such as macOS's /usr/bin/java): ask the executable
  }
  const run = childProcess.spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 15000, windowsHide: true });
  if (run.error || run.status !== 0) return null;
  const match = /version "([^"]+)"/.exec(`${run.stderr}${run.stdout}`);
  return match ? featureVersion(match[1]) : null;
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch (e) {
    return false;
  }
}

function subdirectories(dir) {
  try {
    return fs.readdirSync(dir).map((name) => path.join(dir, name)).sort().reverse();
  } catch (e) {
    return [];
  }
}

/** Where java may be, most specific first: [description, executable]. */
function candidates(env) {
  const found = [];
  const add = (where, java) => found.push([where, java]);
  if (env.JAVA_HOME) add('JAVA_HOME', path.join(env.JAVA_HOME, 'bin', JAVA_EXE));
  for (const dir of (env.PATH || env.Path || '').split(path.delimiter)) {
    if (dir) add('PATH', path.join(dir, JAVA_EXE));
  }
  const home = os.homedir();
  if (process.platform === 'darwin') {
    const javaHome = childProcess.spawnSync('/usr/libexec/java_home', ['-v', `${MIN_JAVA}+`], { encoding: 'utf8', timeout: 15000 });
    if (javaHome.status === 0 && javaHome.stdout.trim()) add('java_home', path.join(javaHome.stdout.trim(), 'bin', 'java'));
    for (const prefix of ['/opt/homebrew', '/usr/local']) add('Homebrew', path.join(prefix, 'opt', 'openjdk', 'bin', 'java'));
    for (const dir of subdirectories('/Library/Java/JavaVirtualMachines')) add('installed JDKs', path.join(dir, 'Contents', 'Home', 'bin', 'java'));
  }
  if (WINDOWS) {
    for (const root of [env.ProgramFiles, env['ProgramFiles(x86)']].filter(Boolean)) {
      for (const vendor of ['Eclipse Adoptium', 'Java', 'Microsoft', 'Zulu', 'Amazon Corretto', 'BellSoft']) {
        for (const dir of subdirectories(path.join(root, vendor))) add('installed JDKs', path.join(dir, 'bin', JAVA_EXE));
      }
    }
  } else {
    for (const dir of subdirectories('/usr/lib/jvm')) add('installed JDKs', path.join(dir, 'bin', 'java'));
  }
  add('SDKMAN', path.join(home, '.sdkman', 'candidates', 'java', 'current', 'bin', JAVA_EXE));
  return found;
}

function findJava(env) {
  const chosen = env.AGENTPAY_JAVA_HOME;
  if (chosen) {
    const java = path.join(chosen, 'bin', JAVA_EXE);
    if (!isFile(java)) fail(`the Java installation set in the extension's settings (${chosen}) has no bin/${JAVA_EXE}. `
      + `Choose the folder that contains bin/${JAVA_EXE}, or clear the setting to use the Java found on this computer.`);
    const version = javaVersion(java);
    if (version === null || version < MIN_JAVA) fail(`the Java installation set in the extension's settings (${chosen}) is `
      + `${version === null ? 'not a working Java' : `Java ${version}`}; this server needs Java ${MIN_JAVA} or newer.`);
    return java;
  }
  const tooOld = [];
  const seen = new Set();
  for (const [where, java] of candidates(env)) {
    if (seen.has(java) || !isFile(java)) continue;
    seen.add(java);
    const version = javaVersion(java);
    if (version !== null && version >= MIN_JAVA) return java;
    if (version !== null) tooOld.push(`Java ${version} at ${java} (${where})`);
  }
  const install = `Install Java ${MIN_JAVA} or newer (for example from https://adoptium.net), then restart the app; `
    + 'or set "Java installation" in the extension\'s settings to its folder.';
  if (tooOld.length) fail(`this server needs Java ${MIN_JAVA} or newer, but found only ${tooOld.join(', ')}. ${install}`);
  fail(`Java was not found (looked at JAVA_HOME, PATH and the usual install folders). ${install}`);
}

function main() {
  const args = process.argv.slice(2);
  if (!args.includes('-jar')) fail('usage: node launch.js <JVM options...> -jar <jar> [arguments...]');
  const env = cleanEnvironment(process.env);
  const java = findJava(env);
  if ((env.AGENTPAY_SANDBOX || '').trim().toLowerCase() === 'true') {
    args.push('--sandbox');
    for (const name of SANDBOX_IGNORES) delete env[name];
  }
  for (const name of Object.keys(env)) {
    if (name.startsWith('AGENTPAY_')) delete env[name];
  }
  const jvm = childProcess.spawn(java, args, { stdio: 'inherit', env, windowsHide: true });
  jvm.on('error', (e) => fail(`could not start ${java}: ${e.message}`));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => jvm.kill(signal));
  }
  jvm.on('exit', (code, signal) => process.exit(code !== null ? code : 128 + (os.constants.signals[signal] || 1)));
}

main();

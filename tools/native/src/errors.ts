/** A failure worth one line to the user: what went wrong, and the fix. */
export class NativeInstallError extends Error {
  override name = 'NativeInstallError';
}

/** The first line of a message, shortened: errors here are read on one line. */
export function firstLine(text: string, max = 200): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

/** Build tools node-gyp needs that are not on PATH, named for the message. */
export function missingBuildTools(onPath: (command: string) => boolean, env: Record<string, string | undefined> = process.env): string[] {
  const missing: string[] = [];
  const cxx = env.CXX?.trim().split(/\s+/)[0];
  if (!(cxx ? onPath(cxx) : ['g++', 'c++', 'clang++'].some(onPath))) missing.push(cxx ? `the C++ compiler CXX=${cxx}` : 'a C++ compiler (g++)');
  if (!onPath('make')) missing.push('make');
  if (!['python3', 'python'].some(onPath)) missing.push('python3');
  return missing;
}

export function missingBuildToolsError(missing: string[]): NativeInstallError {
  return new NativeInstallError(
    `cannot build the binding: ${missing.join(', ')} not found (node-gyp needs them): install them (Debian/Ubuntu: apt-get install g++ make python3) and rerun`,
  );
}

/** Maps node-pre-gyp / node-gyp output of a failed build to its cause. */
export function buildError(output: string, log: string): NativeInstallError {
  const say = (what: string) => new NativeInstallError(`${what} (full log: ${log})`);
  if (/find Python|Could not find any Python/i.test(output)) {
    return say('cannot build the binding: node-gyp found no Python: install python3 and rerun');
  }
  const toolPatterns = [/spawn (\S+) ENOENT/, /not found: (\S+)/, /make(?:\[\d+\])?: (\S+): No such file or directory/, /sh: \d+: (\S+): not found/, /(\S+): command not found/];
  const tool = toolPatterns.map((p) => p.exec(output)?.[1]).find((name) => name !== undefined);
  if (tool) {
    return say(`cannot build the binding: ${tool} not found: install g++ and make (Debian/Ubuntu: apt-get install g++ make python3) and rerun`);
  }
  const header = /fatal error: ([\w/.+-]+\.h): No such file/.exec(output);
  if (header) {
    return say(`cannot build the binding: header ${header[1]} is missing from the library's include folder: use a library that ships TensorFlow's C headers`);
  }
  const symbol = /undefined reference to [`']([\w:]+)'/.exec(output);
  if (symbol) {
    return say(`symbol mismatch: the binding calls ${symbol[1]}, which the TensorFlow library does not export: use TensorFlow 2.9 or newer`);
  }
  if (/(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET)/.test(output) && /gyp/.test(output)) {
    return say("cannot build the binding: node-gyp tried to download Node's headers: set npm_config_nodedir to a Node install that has include/node/node_api.h");
  }
  const err = output.split('\n').find((l) => /error/i.test(l) && !/gyp (ERR|info)! (stack|cwd|node -v|node-gyp -v|System|command)/.test(l));
  return say(`building the binding failed: ${firstLine(err ?? output)}`);
}

/** Maps the stderr of a child that failed to load the built binding to its cause. */
export function loadError(stderr: string, library: string, variant: string): NativeInstallError {
  const symbol = /undefined symbol: (\S+)/.exec(stderr);
  if (symbol) {
    return new NativeInstallError(
      `symbol mismatch: the binding needs ${symbol[1]}, which ${library} lacks: use a TensorFlow 2.9+ C library (libtensorflow_cc.so.2 and libtensorflow_framework.so.2 of one release)`,
    );
  }
  const lib = /(lib[\w.+-]+\.so[\w.]*): cannot open shared object file/.exec(stderr);
  if (lib) {
    const cuda = /^lib(cu|nv)/.test(lib[1]!);
    return new NativeInstallError(
      `the binding does not load: ${lib[1]} not found` +
        (cuda || variant === 'gpu' ? ' (CUDA/cuDNN missing: install the CUDA and cuDNN versions the TensorFlow library was built for)' : `: ${library} is incomplete`),
    );
  }
  const glibc = /(GLIBC(?:XX)?_[\d.]+)' not found/.exec(stderr);
  if (glibc) return new NativeInstallError(`the binding does not load: ${library} needs ${glibc[1]}, newer than this system's C library: use an older TensorFlow`);
  if (/wrong ELF class|invalid ELF header|ELF file's phentsize/.test(stderr)) {
    return new NativeInstallError(`the binding does not load: ${library} is not a linux-x64 library`);
  }
  return new NativeInstallError(`the binding does not load: ${firstLine(stderr.split('\n').find((l) => /Error/.test(l)) ?? stderr)}`);
}

/** Maps the output of a failed `pip download` to its cause. */
export function pipError(output: string, requirement: string): NativeInstallError {
  if (/No matching distribution found|Could not find a version that satisfies/i.test(output)) {
    return new NativeInstallError(
      `wheel not found: pip has no ${requirement} wheel for this Python and platform: use an index that has it, or set LIBTENSORFLOW_DIR to an unpacked TensorFlow C library`,
    );
  }
  if (/No module named pip/.test(output)) return noPipError();
  const err = output.split('\n').find((l) => l.startsWith('ERROR:'));
  return new NativeInstallError(`pip download ${requirement} failed: ${firstLine(err ?? output)}`);
}

export function noPipError(): NativeInstallError {
  return new NativeInstallError(
    'no pip: TensorFlow\'s wheel is fetched with pip (tried python3 -m pip, pip3, pip): install it (Debian/Ubuntu: apt-get install python3-pip), or set LIBTENSORFLOW_DIR to an unpacked TensorFlow C library',
  );
}

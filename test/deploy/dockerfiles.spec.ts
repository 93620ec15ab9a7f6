import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DockerfileParser, Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/**
 * The Dockerfiles, linted with dockerfile-utils (the Docker language server's linter) and checked for what the
 * issue and docs/deployment.md promise: multi-stage, official Node.js LTS slim base on Debian, non-root user,
 * init process, exec-form CMD, HEALTHCHECK on /health/live, volumes, and build secrets kept out of the runtime.
 * The CPU image is also built and run by scripts/ci/image.sh; the CUDA image is only linted (see the docs).
 */
const ROOT = resolve(__dirname, '..', '..');

interface Stage {
  name: string;
  from: string;
  instructions: Instruction[];
}

function stages(file: string): { stages: Stage[]; args: Record<string, string> } {
  const dockerfile = DockerfileParser.parse(readFileSync(join(ROOT, file), 'utf8'));
  const args: Record<string, string> = {};
  const list: Stage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    if (list.length === 0 && instruction.getKeyword() === 'ARG') {
      // ARGs before the first FROM: the image names the FROM lines use.
      const [name, value] = (instruction.getArgumentsContent() ?? '').split('=');
      args[name] = value;
      continue;
    }
    if (instruction.getKeyword() === 'FROM') {
      const [image, , name] = instruction.getArguments().map((a) => a.getValue());
      list.push({ name, from: image.replace(/^\$\{(\w+)\}$/, (_m, arg: string) => args[arg] ?? `\${${arg}}`), instructions: [] });
    } else if (list.length) {
      list[list.length - 1].instructions.push(instruction);
    }
  }
  return { stages: list, args };
}

/** Every instruction of `stage` and of the local stages it is built FROM. */
function effective(all: Stage[], stage: Stage): Instruction[] {
  const parent = all.find((s) => s.name === stage.from);
  return [...(parent ? effective(all, parent) : []), ...stage.instructions];
}
const args = (i: Instruction) => i.getArgumentsContent() ?? '';
const ofKind = (list: Instruction[], keyword: string) => list.filter((i) => i.getKeyword() === keyword);

describe.each(['Dockerfile', 'Dockerfile.cuda'])('%s', (file) => {
  const { stages: all } = stages(file);
  const runtime = all[all.length - 1];
  const final = effective(all, runtime);

  it('has no lint findings', () => {
    expect(validate(readFileSync(join(ROOT, file), 'utf8'))).toEqual([]);
  });

  it('builds in a stage with the toolchain and prunes dev dependencies there', () => {
    const build = all.find((s) => s.name === 'build')!;
    const runs = ofKind(build.instructions, 'RUN').map(args).join('\n');
    expect(runs).toMatch(/apt-get install .*g\+\+ make cmake python3/);
    expect(runs).toContain('npm ci');
    expect(runs).toContain('npm prune --omit=dev');
    // The cuts of what the server never loads (docs/deployment.md, "Size"), after the prune, from the shared script.
    const steps = ofKind(build.instructions, 'RUN').map(args);
    const pruned = steps.findIndex((run) => run.includes('npm prune --omit=dev'));
    expect(steps.findIndex((run) => run.trim() === 'scripts/image/prune-node-modules.sh')).toBeGreaterThan(pruned);
  });

  it('runs as the non-root node user under tini, in exec form, with NODE_ENV=production', () => {
    expect(ofKind(final, 'USER').map(args).pop()).toBe('node');
    expect(JSON.parse(args(ofKind(final, 'ENTRYPOINT').pop()!))).toEqual(['/usr/bin/tini', '--']);
    expect(JSON.parse(args(ofKind(final, 'CMD').pop()!))).toEqual(['node', 'dist/main.js']);
    expect(ofKind(final, 'ENV').map(args).join('\n')).toMatch(/NODE_ENV=production/);
  });

  it('exposes 8000, checks /health/live, and declares MODEL_DIR and DATA_DIR volumes', () => {
    expect(ofKind(final, 'EXPOSE').map(args)).toEqual(['8000']);
    const healthcheck = args(ofKind(final, 'HEALTHCHECK').pop()!);
    expect(healthcheck).toContain('scripts/healthcheck.js');
    expect(readFileSync(join(ROOT, 'scripts/healthcheck.js'), 'utf8')).toContain('/health/live');
    const env = ofKind(final, 'ENV').map(args).join('\n');
    const volumes = JSON.parse(args(ofKind(final, 'VOLUME').pop()!)) as string[];
    expect(volumes).toEqual([env.match(/MODEL_DIR=(\S+)/)![1], env.match(/DATA_DIR=(\S+)/)![1]]);
  });

  it('keeps the build-time CA bundle argument out of the runtime stages', () => {
    for (const stage of all.filter((s) => s.name !== 'build')) {
      expect(ofKind(effective(all, stage), 'ARG').map(args).join('\n')).not.toContain('NODE_EXTRA_CA_CERTS');
    }
  });

  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    for (const copy of ofKind(all.flatMap((s) => s.instructions), 'COPY')) {
      if (copy.getTextContent().includes('--from=')) continue;
      const sources = copy.getArguments().map((a) => a.getValue()).slice(0, -1);
      for (const source of sources) {
        expect([source, existsSync(join(ROOT, source))]).toEqual([source, true]);
        expect(ignored.filter((pattern) => source === pattern || source.startsWith(`${pattern}/`))).toEqual([]);
      }
    }
  });
});

describe('the base images', () => {
  it('the CPU image runs on the official Node.js slim image of an LTS (even) line on Debian', () => {
    const { stages: all } = stages('Dockerfile');
    const base = all.find((s) => s.name === 'app')!.from;
    const match = /^node:(\d+)-(bookworm|trixie)-slim$/.exec(base);
    expect(match).not.toBeNull();
    expect(Number(match![1]) % 2).toBe(0);
    expect(Number(match![1])).toBeGreaterThanOrEqual(22);
  });

  it('the CUDA image runs on NVIDIA CUDA 12 + cuDNN 9 runtime, with the CUDA provider and ENGINE_DEVICE=cuda', () => {
    const { stages: all } = stages('Dockerfile.cuda');
    const runtime = all[all.length - 1];
    expect(runtime.from).toMatch(/^nvidia\/cuda:12\.\d+\.\d+-cudnn-runtime-/);
    const runs = ofKind(all.find((s) => s.name === 'build')!.instructions, 'RUN').map(args).join('\n');
    expect(runs).toContain('onnxruntime-node-install=cuda12');
    expect(runs).toContain('libonnxruntime_providers_cuda.so');
    expect(ofKind(runtime.instructions, 'ENV').map(args).join('\n')).toMatch(/ENGINE_DEVICE=cuda/);
  });

  it('the Lambda target serves through the custom runtime with DATA_DIR under /tmp', () => {
    const { stages: all } = stages('Dockerfile');
    const lambda = all.find((s) => s.name === 'lambda')!;
    expect(JSON.parse(args(ofKind(lambda.instructions, 'ENTRYPOINT').pop()!))).toEqual([
      '/usr/bin/tini', '--', 'node', 'dist/serverless/lambda-runtime.js',
    ]);
    expect(ofKind(lambda.instructions, 'ENV').map(args).join('\n')).toMatch(/DATA_DIR=\/tmp\//);
    expect(existsSync(join(ROOT, 'src/serverless/lambda-runtime.ts'))).toBe(true);
  });
});

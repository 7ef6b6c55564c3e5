// The Kubernetes manifests and the image (deploy/): an Indexed Job of shards and a merge Job, held
// to the exit-code scheme of `autop fleet` (issue #15), the image's user, and a merge pod whose
// script really leaves time to copy the report out (run here with sh, on reports of real runs).
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FLEET_EXIT } from '../../src/cli/fleet.js';
import { packageRoot } from '../../src/core/packageRoot.js';
import { runCli } from '../support/cli.js';
import { freePort, tempDir } from '../support/servers.js';

// js-yaml comes with ESLint (a dev dependency), untyped: only its loadAll is used here.
const { loadAll } = createRequire(import.meta.url)('js-yaml') as { loadAll: (text: string) => unknown[] };

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeMounts?: { name: string; mountPath: string }[];
}

interface PodFailureRule {
  action: 'FailJob' | 'Ignore' | 'Count' | 'FailIndex';
  onExitCodes?: { containerName?: string; operator: 'In' | 'NotIn'; values: number[] };
  onPodConditions?: { type: string }[];
}

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    backoffLimit?: number;
    podFailurePolicy?: { rules: PodFailureRule[] };
    template: {
      spec: {
        restartPolicy: string;
        securityContext?: {
          runAsNonRoot?: boolean;
          runAsUser?: number;
          runAsGroup?: number;
          fsGroup?: number;
        };
        containers: Container[];
        volumes: { name: string; persistentVolumeClaim?: { claimName: string }; emptyDir?: object }[];
      };
    };
  };
}

function manifests(file: string): Manifest[] {
  return loadAll(readFileSync(join(packageRoot, 'deploy/k8s', file), 'utf8')).filter(Boolean) as Manifest[];
}

function job(file: string): Manifest {
  const jobs = manifests(file).filter((m) => m.kind === 'Job');
  expect(jobs).toHaveLength(1);
  return jobs[0]!;
}

/** The value after `flag` in an argument list (`--flag value`, or `--flag=value`). */
function flag(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  if (at >= 0) return args[at + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

describe('the fleet as a Kubernetes Indexed Job (deploy/k8s/fleet-job.yaml)', () => {
  const fleet = job('fleet-job.yaml');
  const pod = fleet.spec.template.spec;
  const container = pod.containers[0]!;
  const args = container.args ?? [];

  it('is an Indexed Job with one pod per shard, all at once', () => {
    expect(fleet.apiVersion).toBe('batch/v1');
    expect(fleet.spec.completionMode).toBe('Indexed');
    expect(fleet.spec.completions).toBeGreaterThan(1);
    expect(fleet.spec.parallelism).toBe(fleet.spec.completions);
    expect(pod.restartPolicy).toBe('Never');
  });

  it('runs `autop fleet` on the shard of its completion index, of as many shards as completions', () => {
    expect(args[0]).toBe('fleet');
    expect(flag(args, '--shard')).toBe(`$(JOB_COMPLETION_INDEX)/${fleet.spec.completions}`);
    const index = container.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX');
    if (index) {
      expect(index.valueFrom?.fieldRef?.fieldPath).toBe(
        "metadata.annotations['batch.kubernetes.io/job-completion-index']",
      );
    }
  });

  it('writes one JSON report per shard on a volume the merge can read', () => {
    const out = flag(args, '--json-out');
    expect(out).toMatch(/^\/results\/shard-\$\(JOB_COMPLETION_INDEX\)\.json$/);
    const mount = container.volumeMounts?.find((m) => out!.startsWith(`${m.mountPath}/`));
    expect(mount).toBeDefined();
    const volume = pod.volumes.find((v) => v.name === mount!.name);
    expect(volume?.persistentVolumeClaim ?? volume?.emptyDir).toBeDefined();
    const claim = manifests('fleet-job.yaml').find((m) => m.kind === 'PersistentVolumeClaim');
    expect(claim?.metadata.name).toBe(volume?.persistentVolumeClaim?.claimName);
  });

  it('asks for a core and enough memory for its phones, with no CPU limit to throttle the emulator', () => {
    expect(container.resources?.requests?.cpu).toBeDefined();
    expect(container.resources?.requests?.memory).toMatch(/^\d+(Gi|Mi)$/);
    expect(container.resources?.limits?.cpu).toBeUndefined();
  });

  it('exits 0 whenever the run completed: failed phones are judged by the merge, not re-run', () => {
    expect(flag(args, '--fail-on')).toBe('never');
  });

  it('fails the Job at once on a usage error, a bug or an unwritable report, and retries only pods that did not finish', () => {
    const rules = fleet.spec.podFailurePolicy?.rules ?? [];
    const failJob = rules.find((r) => r.action === 'FailJob');
    expect(failJob?.onExitCodes).toEqual({
      containerName: container.name,
      operator: 'In',
      values: [FLEET_EXIT.usage, FLEET_EXIT.internal, FLEET_EXIT.cannotWrite],
    });
    // Exit 1 (failed phones over --fail-on) is never a reason to boot a shard again: with
    // --fail-on never it does not happen, and it is not among the codes retried on purpose.
    expect(rules.some((r) => r.onExitCodes?.values.includes(FLEET_EXIT.failedOverThreshold))).toBe(false);
    expect(rules.find((r) => r.action === 'Ignore')?.onPodConditions).toEqual([{ type: 'DisruptionTarget' }]);
    expect(fleet.spec.backoffLimit).toBeLessThanOrEqual(1);
    // podFailurePolicy needs restartPolicy Never.
    expect(pod.restartPolicy).toBe('Never');
  });

  it("runs as the image's user and gives the results volume its group (fsGroup)", () => {
    const user = /^USER (\d+):(\d+)$/m.exec(readFileSync(join(packageRoot, 'deploy/Dockerfile'), 'utf8'));
    expect(user).not.toBeNull();
    for (const m of [fleet, job('fleet-merge.yaml')]) {
      expect(m.spec.template.spec.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: Number(user![1]),
        runAsGroup: Number(user![2]),
        fsGroup: Number(user![2]),
      });
    }
  });

  it('is merged by a pod reading the same volume, from the files the shards write', () => {
    const merge = job('fleet-merge.yaml');
    const mergePod = merge.spec.template.spec;
    expect(mergePod.volumes[0]?.persistentVolumeClaim?.claimName).toBe(
      pod.volumes[0]?.persistentVolumeClaim?.claimName,
    );
    const script = (mergePod.containers[0]!.args ?? []).join('\n');
    expect(script).toMatch(/fleet merge \/results\/shard-\*\.json/);
    expect(script).toMatch(/--html \/results\/report\.html/);
    expect(script).not.toMatch(/set -e/);
  });
});

describe("the merge pod's script (deploy/k8s/fleet-merge.yaml), run with sh", () => {
  const merge = job('fleet-merge.yaml');
  const container = merge.spec.template.spec.containers[0]!;
  const script = (container.args ?? []).join('\n');
  const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? '']));
  let results: string;
  let bin: string;

  beforeAll(async () => {
    const dir = await tempDir('k8s-merge');
    results = join(dir, 'results');
    bin = join(dir, 'bin');
    await mkdir(results);
    await mkdir(bin);
    // `sleep` notes that it was called (and returns at once): the pod's wait for `kubectl cp`.
    await writeFile(join(bin, 'sleep'), `#!/bin/sh\necho "$1" > "${join(dir, 'slept')}"\n`);
    await chmod(join(bin, 'sleep'), 0o755);
    // Two shards of a run whose server is down: every phone fails, over the manifest's --fail-on.
    const port = await freePort();
    for (const i of [0, 1]) {
      const shard = await runCli([
        'fleet',
        '--count',
        '8',
        '--models',
        'T46U',
        '--server',
        `http://127.0.0.1:${port}/`,
        '--virtual',
        '--seed',
        'k8s',
        '--shard',
        `${i}/2`,
        '--fail-on',
        'never',
        '--json-out',
        join(results, `shard-${i}.json`),
      ]);
      expect(shard.code).toBe(FLEET_EXIT.completed);
    }
  }, 60_000);

  it('keeps the pod up for the copy when the merge finds failed phones, then ends with the merge status', async () => {
    expect(env.FAIL_ON).toBeTruthy();
    const result = spawnSync(
      'sh',
      ['-c', script.replaceAll('/app/', `${packageRoot}/`).replaceAll('/results', results)],
      {
        env: { ...process.env, ...env, PATH: `${bin}:${process.env.PATH ?? ''}` },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(result.status).toBe(FLEET_EXIT.failedOverThreshold);
    expect(result.stderr).toMatch(/over --fail-on failed>1%, exit 1/);
    expect(result.stdout).toMatch(/merge exit status: 1/);
    expect(readFileSync(join(results, '..', 'slept'), 'utf8').trim()).toBe(env.LINGER);
    expect((await readdir(results)).sort()).toEqual([
      'report.html',
      'report.json',
      'shard-0.json',
      'shard-1.json',
    ]);
  });
});

describe('the image (deploy/Dockerfile)', () => {
  const dockerfile = readFileSync(join(packageRoot, 'deploy/Dockerfile'), 'utf8');

  it('builds with the dev dependencies and runs without them', () => {
    const stages = dockerfile.split(/^FROM /m).slice(1);
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/^node:20-slim AS build/);
    expect(stages[0]).toMatch(/RUN npm ci --ignore-scripts\n/);
    expect(stages[0]).toContain('RUN npm run build');
    expect(stages[1]).toContain('npm ci --omit=dev --ignore-scripts');
    expect(stages[1]).toContain('COPY --from=build /app/dist ./dist');
  });

  it("starts the CLI the package's bin names, and copies only what exists", () => {
    const bin = (
      JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { bin: { autop: string } }
    ).bin.autop;
    expect(dockerfile).toContain(`ENTRYPOINT ["node", "/app/${bin}"]`);
    for (const [, from] of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm))
      for (const path of from!.split(' ')) expect(existsSync(join(packageRoot, path)), path).toBe(true);
  });
});

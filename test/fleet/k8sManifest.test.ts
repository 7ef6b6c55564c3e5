import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/core/packageRoot.js';

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

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    template: {
      spec: {
        restartPolicy: string;
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

  it('is merged by a pod reading the same volume, from the files the shards write', () => {
    const merge = job('fleet-merge.yaml');
    const mergePod = merge.spec.template.spec;
    expect(mergePod.volumes[0]?.persistentVolumeClaim?.claimName).toBe(
      pod.volumes[0]?.persistentVolumeClaim?.claimName,
    );
    const script = (mergePod.containers[0]!.args ?? []).join('\n');
    expect(script).toMatch(/fleet merge \/results\/shard-\*\.json --html \/results\/report\.html/);
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

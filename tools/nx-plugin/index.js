// Nx plugin: lays out the pipeline's task graph for the config named by $FACEMASK_CONFIG
// (default tools/pipeline/configs/demo.json):
//   preprocess:run -> train:round1-fold-<k> (one task per fold) -> train:round1 -> ensemble:round1
//   -> pseudo-label:run -> train:round2-fold-<k> -> train:round2 -> ensemble:round2 -> submit:run
// Without pseudo-labelling, submit:run follows ensemble:round1 and round 2 is not in the graph.
// Every stage hashes the config sections it reads (a runtime input) and its upstream artifacts
// (dependentTasksOutputFiles, transitively), so a change reruns exactly the stages downstream of it.
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';

const TSX = 'node --import tsx --conditions=source';

function readSpec(workspaceRoot) {
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--conditions=source', 'tools/pipeline/src/graph-spec.ts'], {
      cwd: workspaceRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out);
  } catch (err) {
    const msg = err && err.stderr ? String(err.stderr).trim() : String(err);
    throw new Error(`facemask pipeline plugin: cannot read the pipeline config: ${msg}`);
  }
}

const hashOf = (stage) => ({ runtime: `${TSX} tools/pipeline/src/nx-hash.ts ${stage}` });
// Transitive: a stage reruns whenever anything upstream of it changed, even when its direct
// input happens to come out identical (a hard vote that did not flip), so every artifact
// downstream of a change is rebuilt from it (and carries its lineage).
const upstreamJson = { dependentTasksOutputFiles: '**/*.json', transitive: true };
const code = ['production', '^production'];

function command(script, args, description) {
  return {
    executor: 'nx:run-commands',
    options: { command: `${TSX} ${script}${args ? ' ' + args : ''}`, cwd: '{workspaceRoot}' },
    cache: true,
    metadata: { description },
  };
}

function trainTargets(spec) {
  const targets = {};
  const trainInputs = [...code, hashOf('train'), { env: 'TFJS_BACKEND' }, upstreamJson];
  for (const round of [1, 2]) {
    if (round === 2 && !spec.pseudo) continue;
    const upstream = round === 1 ? [{ projects: ['preprocess'], target: 'run' }] : [{ projects: ['preprocess'], target: 'run' }, { projects: ['pseudo-label'], target: 'run' }];
    const foldTargets = [];
    for (const fold of spec.folds) {
      const name = `round${round}-fold-${fold}`;
      foldTargets.push(name);
      targets[name] = {
        ...command('packages/train/src/main.ts', `--round ${round} --fold ${fold}`, `Train fold ${fold} of round ${round}`),
        dependsOn: upstream,
        inputs: trainInputs,
        outputs: [`{workspaceRoot}/${spec.work}/train/round${round}/fold-${fold}`],
      };
    }
    targets[`round${round}`] = {
      executor: 'nx:noop',
      dependsOn: foldTargets,
      metadata: { description: `Every fold of round ${round}` },
    };
  }
  targets.fold = {
    ...command('packages/train/src/main.ts', '', 'Train one fold: nx run train:fold --fold=2 [--round=1]'),
    options: { command: `${TSX} packages/train/src/main.ts`, cwd: '{workspaceRoot}', round: 1 },
    dependsOn: [{ projects: ['preprocess'], target: 'run' }],
    inputs: trainInputs,
    outputs: [`{workspaceRoot}/${spec.work}/train/round{options.round}/fold-{options.fold}`],
  };
  return targets;
}

function targetsFor(project, spec) {
  switch (project) {
    case 'preprocess':
      return {
        run: {
          ...command('packages/preprocess/src/main.ts', '', 'Labels, folds, image cache and fingerprint of the data root'),
          inputs: [...code, hashOf('preprocess')],
          outputs: [`{workspaceRoot}/${spec.work}/preprocess`],
        },
      };
    case 'train':
      return trainTargets(spec);
    case 'ensemble': {
      const t = {};
      for (const round of spec.pseudo ? [1, 2] : [1]) {
        t[`round${round}`] = {
          ...command('packages/ensemble/src/main.ts', `--round ${round}`, `Vote over the folds of round ${round}`),
          dependsOn: [{ projects: ['train'], target: `round${round}` }, ...spec.folds.map((f) => ({ projects: ['train'], target: `round${round}-fold-${f}` }))],
          inputs: [...code, hashOf('ensemble'), upstreamJson],
          outputs: [`{workspaceRoot}/${spec.work}/ensemble/round${round}`],
        };
      }
      return t;
    }
    case 'pseudo-label':
      if (!spec.pseudo) return {};
      return {
        run: {
          ...command('packages/pseudo-label/src/main.ts', '', 'Confident eval predictions as extra training samples'),
          dependsOn: [{ projects: ['ensemble'], target: 'round1' }],
          inputs: [...code, hashOf('pseudo-label'), upstreamJson],
          outputs: [`{workspaceRoot}/${spec.work}/pseudo-label`],
        },
      };
    case 'submit': {
      const last = spec.pseudo ? 'round2' : 'round1';
      return {
        run: {
          ...command('packages/submit/src/main.ts', `write --round ${spec.pseudo ? 2 : 1}`, 'Write submission.csv in info.csv order'),
          dependsOn: [{ projects: ['ensemble'], target: last }],
          inputs: [...code, hashOf('submit'), upstreamJson],
          outputs: [`{workspaceRoot}/${spec.work}/submission`],
        },
      };
    }
    default:
      return {};
  }
}

export const createNodesV2 = [
  'packages/{preprocess,train,ensemble,pseudo-label,submit}/project.json',
  async (files, _options, context) => {
    const spec = readSpec(context.workspaceRoot);
    return files.map((file) => {
      const root = dirname(file);
      const project = root.split('/').pop();
      return [file, { projects: { [root]: { targets: targetsFor(project, spec) } } }];
    });
  },
];

import { describeModel } from './describe.ts';
import { choosePageBackend } from './backend.ts';
import { fetchEnsemble } from './model.ts';
import { decodeFile, drawRgb, grabFrame } from './pixels.ts';
import { createPageFaceFinder } from './faces.ts';
import { classifyPixels, cropToInput, type FaceFinder, type LoadedEnsemble } from '@facemask/ship/browser';
import type { DecodedPhoto } from '@facemask/image-cache/browser';

/**
 * The kiosk page: loads the exported model the server mounts at model/, then answers for a photo
 * from the file picker or the camera with the very crop, views, members and vote `pnpm predict`
 * runs. The answer element carries data-class and data-confidence for the browser test; its
 * data-state is "no-face" when a face-crop model's detector finds no face.
 */

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = $<HTMLParagraphElement>('status');
const answer = $<HTMLOutputElement>('answer');
const detail = $<HTMLParagraphElement>('detail');

function setStatus(state: 'loading' | 'ready' | 'working' | 'error', text: string): void {
  status.dataset.state = state;
  status.textContent = text;
}

async function start(): Promise<void> {
  const wanted = new URLSearchParams(location.search).get('backend');
  const backend = await choosePageBackend(wanted);
  const ens = await fetchEnsemble('model/');
  const faces = ens.manifest.crop.kind === 'face' ? await createPageFaceFinder('model/', ens.manifest.crop) : null;
  // The first run compiles the engine's kernels (WebGL shaders: seconds); do it before anyone waits.
  setStatus('loading', 'warming up the models…');
  const { height, width } = ens.manifest.input;
  classifyPixels(ens, new Uint8Array(height * width * 3), 1);
  await faces?.detectRecord('warm-up', { data: new Uint8Array(height * width * 3), height, width });
  $('model').textContent = describeModel(ens.manifest);
  setStatus('ready', `ready: ${ens.models.length} model${ens.models.length === 1 ? '' : 's'} on ${backend.name}${backend.tried.length ? ` (${backend.tried.join('; ')})` : ''}`);
  status.dataset.backend = backend.name;
  wire(ens, faces);
}

function wire(ens: LoadedEnsemble, faces: FaceFinder | null): void {
  const file = $<HTMLInputElement>('file');
  const video = $<HTMLVideoElement>('video');
  const shoot = $<HTMLButtonElement>('shoot');
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (f) void answerFor(ens, faces, () => decodeFile(f), f.name);
  });
  $<HTMLButtonElement>('camera').addEventListener('click', () => {
    void (async () => {
      try {
        video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user' }, audio: false });
        await video.play();
        video.hidden = false;
        $('photo').hidden = true;
        shoot.hidden = false;
      } catch (err) {
        setStatus('error', `the camera is not available: ${(err as Error).message}`);
      }
    })();
  });
  shoot.addEventListener('click', () => void answerFor(ens, faces, async () => grabFrame(video), 'camera'));
}

/** Forgets the last photo, its crop and its answer: a photo that then fails shows its error alone. */
function clearAnswer(): void {
  for (const id of ['photo', 'crop']) {
    const canvas = $<HTMLCanvasElement>(id);
    canvas.width = 0;
    canvas.height = 0;
  }
  $('photo').hidden = true;
  answer.textContent = '';
  for (const key of ['class', 'confidence', 'face']) delete answer.dataset[key];
  detail.textContent = '';
}

async function answerFor(ens: LoadedEnsemble, faces: FaceFinder | null, read: () => Promise<DecodedPhoto>, name: string): Promise<void> {
  setStatus('working', `reading ${name}…`);
  clearAnswer();
  answer.dataset.state = 'working';
  try {
    const photo = await read();
    if (!$<HTMLVideoElement>('video').srcObject) {
      const canvas = $<HTMLCanvasElement>('photo');
      drawRgb(canvas, photo);
      canvas.hidden = false;
    }
    const { pixels, fallback } = await cropToInput(photo, ens.manifest, faces);
    if (fallback === true) {
      // The model learnt from face crops: a centre crop of a photo without a face is not what it
      // was trained on, so its class would be a guess dressed as an answer.
      answer.textContent = 'no face found';
      answer.dataset.state = 'no-face';
      answer.dataset.face = 'none';
      detail.textContent = `the model reads faces: take the photo again with the face in view · ${name}`;
      setStatus('ready', `${name}: no face found`);
      return;
    }
    const { height, width } = ens.manifest.input;
    drawRgb($<HTMLCanvasElement>('crop'), { data: pixels, height, width });
    const t = performance.now();
    const [a] = classifyPixels(ens, pixels, 1);
    if (!a) throw new Error('no answer');
    answer.textContent = a.words;
    answer.dataset.state = 'done';
    answer.dataset.class = String(a.cls);
    answer.dataset.confidence = String(a.confidence);
    // A face-crop model found the face (without one the answer above is "no face found").
    if (fallback === false) answer.dataset.face = 'found';
    detail.textContent = `class ${a.cls} · confidence ${(100 * a.confidence).toFixed(1)}% · ${name}`;
    setStatus('ready', `${name}: answered in ${(performance.now() - t).toFixed(0)} ms`);
  } catch (err) {
    answer.dataset.state = 'error';
    answer.textContent = '';
    setStatus('error', `${name}: ${(err as Error).message}`);
  }
}

start().catch((err: unknown) => setStatus('error', (err as Error).message));

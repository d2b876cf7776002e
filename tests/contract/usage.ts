// A typed use of the package, as an embedding developer writes it: checked by `tsc --noEmit`
// (types.test.mjs), never run. Each `@ts-expect-error` line is a shape the types must refuse:
// tsc fails when the error it expects is gone.
import FaceGate, { FaceGateError } from 'facegate';
import type { Consent, Detection, ErrorCode, Face, MatchResult, ReferenceInfo, Subject, Purpose, TeachingFaceGate } from 'facegate';

export async function example(photo: Blob, probe: Blob): Promise<string> {
  const gate = await FaceGate.load({
    threads: 2,
    detector: { inputSize: 640, retryWithBorder: false, quickInputSize: 0 },
    gallery: { maxReferences: 5, operatingPoint: 'fmr1e3' },
    onProgress: ({ fraction }) => void fraction,
  });

  const detection: Detection = await gate.detect(photo);
  const face: Face = detection.faces[0];
  const width: number = face.bbox.width + detection.detector.inputSize;
  const turned: 0 | 90 | 180 | 270 = face.rotation;

  // @ts-expect-error: a face's box is `bbox`
  void face.box;

  // What goes in is what comes out: a subject and a purpose read back from list() can be given again.
  const consent: Consent = {
    subject: { kind: 'otherPersonConsented', name: 'Ada' },
    purpose: { kind: 'compareWithConsentingPerson' },
    consentText: 'Ada agreed that her photo is compared on this device only.',
  };
  const { referenceId } = await gate.enroll(photo, { consent, label: 'Ada', face: 0 });
  // The older shorthand is still accepted.
  await gate.enroll(photo, { consent: { subject: 'self', purpose: 'verifyItIsMe', consentText: 'I agree.', expiresAt: Date.now() + 60_000 }, label: 'me' });
  // @ts-expect-error: not a subject
  const wrong: Consent = { subject: { kind: 'someone' }, purpose: 'verifyItIsMe', consentText: 'x' };
  void wrong;

  const listed: ReferenceInfo[] = await gate.list();
  const subject: Subject = listed[0].consent.subject;
  const purpose: Purpose = listed[0].consent.purpose;
  await gate.enroll(photo, { consent: { subject, purpose, consentText: 'again' }, label: 'copy' });
  const given: number = listed[0].consent.givenAt;
  const name = subject.kind === 'otherPersonConsented' ? subject.name : 'me';

  const match: MatchResult = await gate.verify(probe, referenceId, { face: { x: 10, y: 20 } });
  const similarity: number | null = match.similarity;
  const found = await gate.identify(probe);
  const best: string | undefined = found.best?.referenceId;

  try {
    await gate.withdraw(referenceId);
  } catch (e) {
    if (e instanceof FaceGateError) {
      const code: ErrorCode = e.code;
      if (code === 'fetchFailed' || code === 'faceUnusable' || code === 'workerFailed') void e.reason;
      // @ts-expect-error: not a code facegate has
      if (e.code === 'noSuchCode') void 0;
    }
  }

  // The engine may stop (a trap) and start again: what a page shows then.
  gate.addEventListener('restarted', (event) => {
    const erased: number = event.detail.referencesErased;
    const cause: string = event.detail.cause + event.detail.restartMs.toFixed(0);
    void `${cause} ${erased}`;
  });
  gate.addEventListener('change', (event) => {
    if (event.detail.reason === 'restarted') void event.detail.references;
  });
  // @ts-expect-error: not an event facegate fires
  gate.addEventListener('crashed', () => {});

  const teaching: TeachingFaceGate = await FaceGate.load({ teaching: { maxExplanations: 2, holdMs: 60_000 } });
  const a = await teaching.explain(photo, { consent, face: 0 });
  const steps = await teaching.compareExplained(a.explanation, a.explanation);
  const row = steps.rows[0].runningSum + a.transform.tx + a.strip[0];
  await teaching.releaseExplanation(a.explanation);
  await gate.dispose();
  return `${width} ${turned} ${given} ${name} ${similarity} ${best} ${row}`;
}

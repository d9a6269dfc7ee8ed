// The doctor's public surface: the CLI body, the examination, and the guide table it cites.
export type { Check, CheckStatus } from './check.ts';
export { DEFAULT_TIMEOUT_MS, type DiagnoseOptions, type DoctorReport, diagnose } from './diagnose.ts';
export { formatHuman, formatJson } from './format.ts';
export { GUIDE_SECTIONS, GUIDE_STEPS, type GuideSection, type GuideSectionId } from './guide-sections.ts';
export { policyExposure, policyExposureCheck } from './policy-exposure.ts';
export { DEFAULT_ENV_FILE, type DoctorIo, parseDoctorArgs, runDoctor, USAGE } from './run-doctor.ts';
export { settingsWarnings } from './warnings.ts';

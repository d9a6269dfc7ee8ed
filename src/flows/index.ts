export {
  CHAT_ATTACHMENT_TYPES,
  checkUpload,
  IMAGE_TYPES,
  type UploadedFile,
  VERIFICATION_DOCUMENT_TYPES,
} from './file-rules.ts';
export { FlowError, type FlowErrorCode } from './flow-error.ts';
export {
  type AttachFileInput,
  type AttachFileResult,
  createFlows,
  type FlowDeps,
  type Flows,
  type InviteMemberInput,
  type InviteMemberResult,
  type NotificationOutcome,
  type ProfileImageHistoryInput,
  type ProfileImageVersion,
  type RejectVerificationInput,
  type RestoreProfileImageInput,
  type ReviewVerificationInput,
  type SetProfileImageInput,
  type SetProfileImageResult,
  type SubmitVerificationInput,
  type SubmitVerificationResult,
} from './flows.ts';

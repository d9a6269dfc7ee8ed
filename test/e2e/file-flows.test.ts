// The flows whose product is a stored file — chat attachment, team profile image — with who may
// read them (the guide's user, anonymous visitors) and the upload size limit, on one stack for
// this file.
import { accessControlCases } from './cases/access-control.ts';
import { chatAttachmentCases } from './cases/chat-attachment.ts';
import { leastPrivilegeCases } from './cases/least-privilege.ts';
import { profileImageCases } from './cases/profile-image.ts';
import { uploadLimitCases } from './cases/upload-limit.ts';

chatAttachmentCases();
profileImageCases();
accessControlCases();
leastPrivilegeCases();
uploadLimitCases();

// POST Object (browser form uploads with a SigV4 POST policy): the server routes
// `POST /{bucket}` without a subresource here.
export { handlePostObject } from './handle.ts';
export { MAX_PRE_FILE_BYTES } from './post-errors.ts';
export type { PostObjectDeps, PostObjectInput, PostObjectRequest, PostObjectResponse } from './types.ts';

// Who signed a request. The access-control engine decides what each identity may do;
// the S3 server only establishes who it is.

export interface Identity {
  /** IAM-style user name, e.g. `focusmate-s3-user`; `root` for the stack's root identity. */
  name: string;
  /** ARN used by policies, e.g. `arn:aws:iam::000000000000:user/focusmate-s3-user`. */
  arn: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The root identity is always allowed, as an AWS account's root user is. */
  root: boolean;
  /** Inactive keys are refused with InvalidAccessKeyId (key rotation). @default true */
  active?: boolean;
}

/** The account id the stack pretends to be; policies and ARNs name it. */
export const ACCOUNT_ID = '000000000000';

export function userArn(name: string): string {
  return name === 'root' ? `arn:aws:iam::${ACCOUNT_ID}:root` : `arn:aws:iam::${ACCOUNT_ID}:user/${name}`;
}

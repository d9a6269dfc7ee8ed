#!/bin/sh
# One-shot seeding for docker-compose.yml: what `npm run dev:stack` provisions, from the same
# .env.local values and stack/policies files. Safe to run again on a persisted volume.
set -eu
: "${AWS_S3_BUCKET:?AWS_S3_BUCKET must be set in .env.local}"
: "${AWS_ACCESS_KEY_ID:?AWS_ACCESS_KEY_ID must be set in .env.local}"
: "${AWS_SECRET_ACCESS_KEY:?AWS_SECRET_ACCESS_KEY must be set in .env.local}"
region="${AWS_S3_REGION:-us-east-1}"

mc alias set stack http://minio:9000 "$STACK_ROOT_USER" "$STACK_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing --region "$region" "stack/$AWS_S3_BUCKET"

# The policy files name the guide's bucket; point them at the configured one.
sed "s/focusmate-uploads/$AWS_S3_BUCKET/g" /policies/app-user-policy.json > /tmp/app-user-policy.json
mc admin user add stack "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY"
mc admin policy create stack focusmate-app-policy /tmp/app-user-policy.json
mc admin policy attach stack focusmate-app-policy --user "$AWS_ACCESS_KEY_ID" 2>/dev/null || true

case "${STACK_BUCKET_POLICY:-default}" in
  default) policy=/policies/bucket-policy.json ;;
  guide-public) policy=/policies/bucket-policy-guide-public.json ;;
  none) policy= ;;
  *) echo "STACK_BUCKET_POLICY must be default, guide-public or none" >&2; exit 1 ;;
esac
if [ -n "$policy" ]; then
  sed "s/focusmate-uploads/$AWS_S3_BUCKET/g" "$policy" > /tmp/bucket-policy.json
  mc anonymous set-json /tmp/bucket-policy.json "stack/$AWS_S3_BUCKET"
fi
echo "seeded bucket $AWS_S3_BUCKET ($region), user $AWS_ACCESS_KEY_ID, bucket policy ${STACK_BUCKET_POLICY:-default}"

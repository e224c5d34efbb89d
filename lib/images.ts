/** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>[:tag|@digest]`, the form of a private ECR image. */
const ECR_IMAGE =
    /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+?)(?::[\w.-]+|@sha256:[a-f0-9]{64})?$/;

/** Whether `image` is hosted in a private Amazon ECR registry. */
export function isEcrImage(image: string): boolean {
    return ECR_IMAGE.test(image);
}

/** The ARN of the ECR repository an image URI points at, or `undefined` for non-ECR images. */
export function ecrRepositoryArn(image: string): string | undefined {
    const match = ECR_IMAGE.exec(image);
    return match ? `arn:aws:ecr:${match[2]}:${match[1]}:repository/${match[3]}` : undefined;
}

/** The S3 resources an execution role must be granted to read a set of artifact URLs, and no more. */
export interface S3ReadGrants {
    /** `arn:aws:s3:::bucket/prefix*` per distinct prefix, for s3:GetObject. */
    readonly objectArns: string[];
    /** `arn:aws:s3:::bucket` per bucket, for s3:ListBucket. */
    readonly bucketArns: string[];
    /** `prefix*` per distinct prefix, for the s3:prefix condition of ListBucket. */
    readonly listPrefixes: string[];
}

/** Splits `s3://bucket/key` into bucket and key, or `undefined` if it is not an S3 URL. */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
    const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/.exec(url);
    return match ? { bucket: match[1], key: match[2] } : undefined;
}

/**
 * Grants for reading `urls`: an object grants its folder (a `.tar.gz` adapter sits beside its siblings),
 * and prefixes covered by a shorter one collapse, so a thousand adapters under one folder cost one
 * statement entry and the inline policy stays under IAM's size limit.
 */
export function s3ReadGrants(urls: readonly string[]): S3ReadGrants {
    const prefixes = new Set<string>();
    for (const url of urls) {
        const parsed = parseS3Url(url);
        if (!parsed) continue;
        const folder = parsed.key.endsWith("/") ? parsed.key : parsed.key.slice(0, parsed.key.lastIndexOf("/") + 1);
        prefixes.add(`${parsed.bucket}/${folder}`);
    }
    const sorted = [...prefixes].sort();
    const kept = sorted.filter((p) => !sorted.some((other) => other !== p && p.startsWith(other)));
    const buckets = [...new Set(kept.map((p) => p.slice(0, p.indexOf("/"))))];
    return {
        objectArns: kept.map((p) => `arn:aws:s3:::${p}*`),
        bucketArns: buckets.map((b) => `arn:aws:s3:::${b}`),
        listPrefixes: [...new Set(kept.map((p) => `${p.slice(p.indexOf("/") + 1)}*`))],
    };
}

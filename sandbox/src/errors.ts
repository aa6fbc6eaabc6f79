/**
 * The error a sandbox handler throws to answer like AWS: a name (`__type` for CloudWatch Logs,
 * `Code` for S3), a message and an HTTP status.
 */
class ServiceError extends Error {
  public readonly status: number;
  public readonly extra: Readonly<Record<string, string>>;
  public constructor(name: string, message: string, status = 400, extra: Record<string, string> = {}) {
    super(message);
    this.name = name;
    this.status = status;
    this.extra = extra;
  }
}

/** CloudWatch Logs: a parameter AWS would refuse. */
const invalidParameter = (message: string): ServiceError => new ServiceError('InvalidParameterException', message);

/** CloudWatch Logs: a resource that does not exist, worded as AWS words it. */
const resourceNotFound = (message: string): ServiceError => new ServiceError('ResourceNotFoundException', message);

/** The AWS validation message for a member constraint, e.g. `limit` above its maximum. */
const validationMessage = (member: string, value: unknown, constraint: string): string =>
  `1 validation error detected: Value '${String(value)}' at '${member}' failed to satisfy constraint: ${constraint}`;

export { invalidParameter, resourceNotFound, ServiceError, validationMessage };

/**
 * serverless.yml's alarm on failed runs: Lambda's Errors metric of this very function (a failed run fails
 * its invocation, see handlerOperations.test.ts), notifying an e-mail topic and/or a given SNS topic.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TEST_PARAMS, ensurePackaged, packagedTemplate, type Template } from './packaged.js';

let template: Template;
beforeAll(async () => {
  await ensurePackaged();
  template = packagedTemplate();
}, 150_000);

describe('the failed-run alarm', () => {
  it("fires on the function's first error in five minutes, and not when it did not run", () => {
    const alarm = template.Resources.FailedRunAlarm!;
    expect(alarm.Type).toBe('AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'FunctionName', Value: 'cwl-trim-dev' }],
    });
    const fn = Object.values(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function')!;
    expect(fn.Properties?.FunctionName).toBe('cwl-trim-dev');
  });

  it('notifies the e-mail param through a topic it creates, and a topic ARN when given', () => {
    expect(template.Parameters?.AlarmEmail?.Default).toBe(TEST_PARAMS.alarmEmail);
    expect(template.Parameters?.AlarmTopicArn?.Default).toBe('');
    expect(template.Resources.AlarmTopic).toMatchObject({
      Type: 'AWS::SNS::Topic',
      Condition: 'HasAlarmEmail',
      Properties: { Subscription: [{ Protocol: 'email', Endpoint: { Ref: 'AlarmEmail' } }] },
    });
    expect(template.Resources.FailedRunAlarm!.Properties!.AlarmActions).toEqual({
      'Fn::If': [
        'HasAlarmTopicArn',
        { 'Fn::If': ['HasAlarmEmail', [{ Ref: 'AlarmTopicArn' }, { Ref: 'AlarmTopic' }], [{ Ref: 'AlarmTopicArn' }]] },
        { 'Fn::If': ['HasAlarmEmail', [{ Ref: 'AlarmTopic' }], { Ref: 'AWS::NoValue' }] },
      ],
    });
    expect(template.Conditions?.HasAlarmEmail).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmEmail' }, ''] }] });
  });
});

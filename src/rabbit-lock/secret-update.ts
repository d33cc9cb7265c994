import * as amqp from 'amqplib';

export type SecretUpdateOutcome = 'ok' | 'connection-closed' | 'timeout' | 'error';

/**
 * Sends `connection.update-secret` and waits for the answer, the connection's end or the timeout,
 * whichever comes first. A secret the broker refuses closes the connection (530) and amqplib's
 * promise then never settles, hence the race.
 */
export function raceSecretUpdate(
  model: amqp.ChannelModel,
  secret: string,
  timeoutMs: number,
): Promise<SecretUpdateOutcome> {
  return new Promise((resolve) => {
    const finish = (outcome: SecretUpdateOutcome): void => {
      clearTimeout(timer);
      model.removeListener('close', onClose);
      resolve(outcome);
    };
    const onClose = (): void => finish('connection-closed');
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    model.once('close', onClose);
    model.updateSecret(Buffer.from(secret, 'utf8'), 'token renewal').then(
      () => finish('ok'),
      () => finish('error'),
    );
  });
}

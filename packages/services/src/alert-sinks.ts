import type { Incident } from '@quanta/model';

/** What happened to an incident. */
export type IncidentEventKind = 'opened' | 'updated' | 'acknowledged' | 'resolved';

/** An incident event, as every sink receives it. */
export interface IncidentEvent {
  readonly kind: IncidentEventKind;
  readonly incident: Incident;
}

/** Where incident events go: a webhook, the log. */
export interface AlertSink {
  readonly name: string;
  notify(event: IncidentEvent): Promise<void>;
}

/** How one sink fared: alerts never fail the run that raised them. */
export type AlertDelivery =
  | { readonly sink: string; readonly kind: 'delivered' }
  | { readonly sink: string; readonly kind: 'failed'; readonly reason: string };

/** One line of text for chat tools and logs. */
export function incidentText(event: IncidentEvent): string {
  const { incident } = event;
  const reach = incident.ports.length > 1 ? ` (reaches ${incident.ports.length - 1} downstream port(s))` : '';
  return `[${incident.severity}] incident ${incident.id} ${event.kind}: ${incident.title}${reach}`;
}

/**
 * The JSON body of a webhook: `text` is what Slack-style incoming webhooks (Slack, Mattermost,
 * Rocket.Chat, Teams' legacy connectors) display; `quanta` carries the structured event.
 */
export function webhookBody(event: IncidentEvent): { text: string; quanta: IncidentEvent } {
  return { text: incidentText(event), quanta: event };
}

/** A sink posting each event as JSON to a URL; a non-2xx answer is a failed delivery. */
export function webhookSink(url: string): AlertSink {
  return {
    name: `webhook ${new URL(url).host}`,
    async notify(event) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(webhookBody(event)),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
    },
  };
}

/** A sink writing each event as one line to a log. */
export function logSink(write: (line: string) => void): AlertSink {
  return {
    name: 'log',
    async notify(event) {
      write(incidentText(event));
    },
  };
}

/** Sends an event to every sink; each delivery is a value, never an exception. */
export async function notifySinks(
  sinks: readonly AlertSink[],
  event: IncidentEvent,
): Promise<AlertDelivery[]> {
  return Promise.all(
    sinks.map(async (sink): Promise<AlertDelivery> => {
      try {
        await sink.notify(event);
        return { sink: sink.name, kind: 'delivered' };
      } catch (error) {
        return {
          sink: sink.name,
          kind: 'failed',
          reason: error instanceof Error ? error.message : String(error),
        };
      }
    }),
  );
}

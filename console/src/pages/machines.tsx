/** Every machine of the merchant: link state, last heartbeat, switches, live codes. */
import { useT } from '../i18n.js';
import { ErrorNotice, Flag, UpdatedAt, usePoll, useSession, WallTime } from '../ui.js';

export function MachinesPage() {
  const t = useT();
  const { client } = useSession();
  const machines = usePoll(() => client.machinesOverview(), 'machines');

  return (
    <section>
      <h1 tabIndex={-1}>{t('machinesTitle')}</h1>
      <ErrorNotice error={machines.error} />
      <UpdatedAt at={machines.updatedAt} />
      {machines.data && machines.data.length === 0 && <p>{t('noMachines')}</p>}
      {machines.data && machines.data.length > 0 && (
        <table>
          <caption class="visually-hidden">{t('machinesTitle')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('machineNo')}</th>
              <th scope="col">{t('machineName')}</th>
              <th scope="col">{t('connection')}</th>
              <th scope="col">{t('lastSeen')}</th>
              <th scope="col">{t('operating')}</th>
              <th scope="col">{t('pickupCodes')}</th>
              <th scope="col" class="number">
                {t('liveCodes')}
              </th>
            </tr>
          </thead>
          <tbody>
            {machines.data.map((machine) => (
              <tr key={machine.machineNo} data-machine-no={machine.machineNo}>
                <th scope="row">
                  <a href={`#/machines/${encodeURIComponent(machine.machineNo)}`}>{machine.machineNo}</a>
                </th>
                <td>{machine.machineName ?? '—'}</td>
                <td>
                  <Flag on={machine.isOnline} yes={t('online')} no={t('offline')} />
                </td>
                <td>
                  <WallTime at={machine.lastSeenAt} fallback={t('never')} />
                </td>
                <td>
                  <Flag on={machine.operating} yes={t('inOperation')} no={t('notOperating')} />
                </td>
                <td>
                  <Flag on={machine.pickupCodesEnabled} yes={t('on')} no={t('off')} />
                </td>
                <td class="number live-codes">{machine.liveCodes}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

import type { PolicySettings } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { AdminMessageKey } from '../i18n/catalogue.ts';

export const DEFAULT_SETTINGS: PolicySettings = {
  enabled: true,
  deployCertificates: true,
  signing: { profileType: 'scep', keyAlgorithm: 'RSA-2048', renewalThreshold: 0.8 },
  encryption: { profileType: 'importedPkcs', allowExport: false },
  notification: 'pushThenEmail',
  signAll: false,
  signAllUserChangeAllowed: true,
  encryptAll: false,
  encryptAllUserChangeAllowed: true,
};

function Check(props: { id: string; label: string; checked: boolean; onChange: (v: boolean) => void }) {
  return (
    <div class="check">
      <input id={props.id} type="checkbox" checked={props.checked} onChange={(e) => props.onChange((e.target as HTMLInputElement).checked)} />
      <label for={props.id}>{props.label}</label>
    </div>
  );
}

function Choice<T extends string>(props: { id: string; label: string; value: T; options: readonly T[]; text: (v: T) => string; onChange: (v: T) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value as T)}>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {props.text(o)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Every S/MIME setting of a policy (the Outlook app-configuration mirror), as form fields. */
export function PolicySettingsForm(props: { value: PolicySettings; onChange: (s: PolicySettings) => void }) {
  const { t } = useI18n();
  const s = props.value;
  const set = (patch: Partial<PolicySettings>) => props.onChange({ ...s, ...patch });
  const profile = (v: string) => t(`profile.${v}` as AdminMessageKey);
  return (
    <>
      <fieldset>
        <legend>{t('policies.general')}</legend>
        <Check id="p-enabled" label={t('policies.enabled')} checked={s.enabled} onChange={(enabled) => set({ enabled })} />
        <Check id="p-deploy" label={t('policies.deploy')} checked={s.deployCertificates} onChange={(deployCertificates) => set({ deployCertificates })} />
        <Choice
          id="p-notification"
          label={t('policies.notification')}
          value={s.notification}
          options={['push', 'email', 'pushThenEmail'] as const}
          text={(v) => t(`channel.${v}` as AdminMessageKey)}
          onChange={(notification) => set({ notification })}
        />
      </fieldset>
      <fieldset>
        <legend>{t('policies.signing')}</legend>
        <Choice id="p-sign-profile" label={t('policies.signingProfile')} value={s.signing.profileType} options={['scep', 'importedPkcs', 'derivedCredential'] as const} text={profile} onChange={(profileType) => set({ signing: { ...s.signing, profileType } })} />
        <Choice id="p-sign-key" label={t('policies.keyAlgorithm')} value={s.signing.keyAlgorithm} options={['RSA-2048', 'EC-P256'] as const} text={(v) => v} onChange={(keyAlgorithm) => set({ signing: { ...s.signing, keyAlgorithm } })} />
        <div class="field">
          <label for="p-renewal">{t('policies.renewal')}</label>
          <input
            id="p-renewal"
            type="number"
            min="0.05"
            max="0.95"
            step="0.05"
            value={s.signing.renewalThreshold}
            onInput={(e) => {
              const v = Number((e.target as HTMLInputElement).value);
              if (v > 0 && v < 1) set({ signing: { ...s.signing, renewalThreshold: v } });
            }}
          />
        </div>
      </fieldset>
      <fieldset>
        <legend>{t('policies.encryption')}</legend>
        <Choice id="p-enc-profile" label={t('policies.encryptionProfile')} value={s.encryption.profileType} options={['importedPkcs', 'derivedCredential'] as const} text={profile} onChange={(profileType) => set({ encryption: { ...s.encryption, profileType } })} />
        <Check id="p-export" label={t('policies.allowExport')} checked={s.encryption.allowExport} onChange={(allowExport) => set({ encryption: { ...s.encryption, allowExport } })} />
      </fieldset>
      <fieldset>
        <legend>{t('policies.mailDefaults')}</legend>
        <Check id="p-sign-all" label={t('policies.signAll')} checked={s.signAll} onChange={(signAll) => set({ signAll })} />
        <Check id="p-sign-change" label={t('policies.signAllChange')} checked={s.signAllUserChangeAllowed} onChange={(signAllUserChangeAllowed) => set({ signAllUserChangeAllowed })} />
        <Check id="p-enc-all" label={t('policies.encryptAll')} checked={s.encryptAll} onChange={(encryptAll) => set({ encryptAll })} />
        <Check id="p-enc-change" label={t('policies.encryptAllChange')} checked={s.encryptAllUserChangeAllowed} onChange={(encryptAllUserChangeAllowed) => set({ encryptAllUserChangeAllowed })} />
      </fieldset>
    </>
  );
}

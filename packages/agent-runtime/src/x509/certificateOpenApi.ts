import { z } from 'zod'

const dateTime = z.iso.datetime({ offset: true })

/** The answer of `POST …/certificate-signing-request`. */
export const certificateSigningRequestResponse = z
  .object({ csr: z.string().meta({ description: 'PKCS#10, PEM: send it to the CA' }) })
  .meta({ id: 'CertificateSigningRequest' })

/** What the API shows of a key's certificate (`certificateView`), as component `id`. */
export function keyCertificateResponse(id: string, example: Record<string, unknown>) {
  return z
    .object({
      subject: z.string(),
      issuer: z.string().meta({ description: 'The CA that issued the certificate (its subject)' }),
      serialNumber: z.string(),
      notBefore: dateTime,
      notAfter: dateTime.meta({ description: 'The earliest end of validity in the chain: renew before it' }),
      sha256: z.string().meta({ description: 'SHA-256 of the DER certificate, base64url' }),
      dnsNames: z.array(z.string()),
      uris: z.array(z.string()),
      uploadedAt: dateTime,
      chainLength: z.number().int().meta({ description: 'Certificates in x5c: the leaf and intermediates, no root' }),
    })
    .meta({ id, examples: [example] })
}

import { X509Certificate } from '@peculiar/x509'
import { base64ToBytes, bytesToBase64 } from '../encoding.js'
import { CertificateChainError } from './CertificateChainError.js'

/** Most certificates a chain may have (leaf, intermediates, root). */
export const MAX_CHAIN_LENGTH = 10

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g

/**
 * The certificates of a chain, leaf first: a PEM bundle (one string, as CAs return them), or a
 * list of PEM or base64 DER certificates (as in an `x5c` header).
 */
export function parseCertificateChain(input: string | readonly string[]): X509Certificate[] {
  const parts =
    typeof input === 'string'
      ? pemBlocks(input)
      : input.flatMap((part) => (part.includes('-----BEGIN') ? pemBlocks(part) : [part]))
  if (parts.length === 0) throw new CertificateChainError('certificate_unreadable', 'No certificate was given')
  if (parts.length > MAX_CHAIN_LENGTH) {
    throw new CertificateChainError('certificate_unreadable', `A chain has at most ${MAX_CHAIN_LENGTH} certificates`)
  }
  return parts.map((part, index) => {
    try {
      return new X509Certificate(base64ToBytes(part))
    } catch (error) {
      throw new CertificateChainError(
        'certificate_unreadable',
        `Certificate ${index + 1} is not a DER X.509 certificate`,
        {
          cause: error,
        },
      )
    }
  })
}

function pemBlocks(text: string): string[] {
  const blocks = [...text.matchAll(PEM_BLOCK)].map((match) => match[1] as string)
  if (blocks.length === 0 && text.trim()) {
    throw new CertificateChainError('certificate_unreadable', 'Expected PEM certificates (-----BEGIN CERTIFICATE-----)')
  }
  return blocks
}

/** The base64 DER form of a certificate, as an `x5c` entry carries it. */
export const toX5cEntry = (certificate: X509Certificate): string => bytesToBase64(certificate.rawData)

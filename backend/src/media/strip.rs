//! Metadata stripping: every accepted format comes out without camera, GPS,
//! time or text metadata, and without anything that is not part of the
//! picture. Pixels are never decoded or re-encoded: the containers are
//! rewritten keeping only what a decoder needs (plus colour information).
//!
//! - PNG and WebP: chunk lists through `img-parts`, keeping an allow-list.
//! - GIF: frames copied as they are compressed through the `gif` crate
//!   (`skip_frame_decoding`), so comments, application extensions (XMP) and
//!   plain-text extensions are left behind; only the loop count is carried.
//! - JPEG: a marker walk of our own over the *whole* first image (see
//!   [`jpeg`] for why `img-parts` does not fit there).

use bytes::Bytes;
use img_parts::{png::Png, riff::RiffContent, webp::WebP};

use crate::error::ApiError;

fn damaged() -> ApiError {
    ApiError::field(
        "image",
        "is not a readable image (its structure is damaged)",
    )
}

/// PNG: critical chunks (upper-case first letter: IHDR, PLTE, IDAT, IEND and
/// any a decoder must understand) and the ancillary chunks that only
/// describe how to show the pixels. Everything else goes — `eXIf`, `tEXt`,
/// `zTXt`, `iTXt`, `tIME` and any private chunk.
pub fn png(src: &[u8]) -> Result<Vec<u8>, ApiError> {
    const KEEP_ANCILLARY: [&[u8; 4]; 14] = [
        b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"bKGD", b"pHYs", b"acTL", b"fcTL",
        b"fdAT", b"cICP", b"mDCv", b"cLLi",
    ];
    let mut png = Png::from_bytes(Bytes::copy_from_slice(src)).map_err(|_| damaged())?;
    png.chunks_mut().retain(|chunk| {
        let kind = chunk.kind();
        kind[0].is_ascii_uppercase() || KEEP_ANCILLARY.iter().any(|k| **k == kind)
    });
    Ok(png.encoder().bytes().to_vec())
}

/// WebP: the image data chunks (`VP8 `, `VP8L`, `VP8X`, `ALPH`), animation
/// (`ANIM`, `ANMF`) and the colour profile (`ICCP`); `EXIF`, `XMP ` and
/// unknown chunks go, and the `VP8X` flags stop announcing them.
pub fn webp(src: &[u8]) -> Result<Vec<u8>, ApiError> {
    const KEEP: [&[u8; 4]; 7] = [
        b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF", b"ICCP",
    ];
    /// VP8X flag bits (first byte of its payload).
    const EXIF_FLAG: u8 = 0x08;
    const XMP_FLAG: u8 = 0x04;
    let mut webp = WebP::from_bytes(Bytes::copy_from_slice(src)).map_err(|_| damaged())?;
    webp.chunks_mut()
        .retain(|chunk| KEEP.iter().any(|k| **k == chunk.id()));
    for chunk in webp.chunks_mut() {
        if chunk.id() != *b"VP8X" {
            continue;
        }
        if let RiffContent::Data(data) = chunk.content_mut() {
            let mut flags = data.to_vec();
            if let Some(first) = flags.first_mut() {
                *first &= !(EXIF_FLAG | XMP_FLAG);
            }
            *data = Bytes::from(flags);
        }
    }
    Ok(webp.encoder().bytes().to_vec())
}

/// GIF: the logical screen, global palette, loop count and every frame
/// (descriptor, local palette, delay/disposal/transparency, compressed
/// pixels) copied without decompressing them; no other block survives.
pub fn gif(src: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    options.check_frame_consistency(true);
    let mut decoder = options.read_info(src).map_err(|_| damaged())?;
    let mut frames = Vec::new();
    while let Some(frame) = decoder.read_next_frame().map_err(|_| damaged())? {
        frames.push(frame.clone());
    }
    if frames.is_empty() {
        return Err(ApiError::field("image", "has no pixels"));
    }
    let palette = decoder.global_palette().unwrap_or_default().to_vec();
    let (width, height, repeat) = (decoder.width(), decoder.height(), decoder.repeat());
    let encode = || -> Result<Vec<u8>, gif::EncodingError> {
        let mut encoder =
            gif::Encoder::new(Vec::with_capacity(src.len()), width, height, &palette)?;
        if frames.len() > 1 {
            encoder.set_repeat(repeat)?;
        }
        for frame in &frames {
            encoder.write_lzw_pre_encoded_frame(frame)?;
        }
        encoder.into_inner()
    };
    encode().map_err(|_| damaged())
}

/// JPEG, marker by marker, through the header segments, every scan's
/// entropy-coded data and the segments between the scans of a progressive
/// image, up to the first image's end (EOI). Kept: what decoding needs
/// (frame, Huffman, quantisation, restart and scan segments), APP0 (JFIF),
/// APP2 ICC profiles and APP14 (Adobe colour transform). Dropped: every other
/// APPn (Exif, XMP, MPF, IPTC, maker notes), comments, and everything after
/// the EOI — the further pictures of a multi-picture (MPO) file and trailers.
///
/// Not `img-parts`: it parses segments only up to the first start-of-scan
/// and keeps the rest of the file as one opaque blob, which is exactly where
/// the other frames of an MPO file and between-scan segments live.
pub fn jpeg(src: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut out = Vec::with_capacity(src.len());
    out.extend_from_slice(src.get(..2).ok_or_else(damaged)?); // SOI
    let mut i = 2;
    loop {
        // Markers may be preceded by 0xFF fill bytes.
        while src.get(i) == Some(&0xFF) && src.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let (Some(&0xFF), Some(&marker)) = (src.get(i), src.get(i + 1)) else {
            return Err(damaged());
        };
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Ok(out);
            }
            // A second start of image inside the first one, or no marker at
            // all (0x00 and 0x02–0xBF are not markers).
            0xD8 | 0x00 | 0x02..=0xBF => return Err(damaged()),
            // Standalone markers without a length.
            0x01 | 0xD0..=0xD7 => {
                out.extend_from_slice(&src[i..i + 2]);
                i += 2;
            }
            _ => {
                let len = match (src.get(i + 2), src.get(i + 3)) {
                    (Some(&hi), Some(&lo)) => usize::from(hi) << 8 | usize::from(lo),
                    _ => return Err(damaged()),
                };
                let end = i + 2 + len;
                if len < 2 || end > src.len() {
                    return Err(damaged());
                }
                if keep_jpeg_segment(marker, &src[i + 4..end]) {
                    out.extend_from_slice(&src[i..end]);
                }
                i = end;
                if marker == 0xDA {
                    let data_end = entropy_end(src, i);
                    out.extend_from_slice(&src[i..data_end]);
                    if data_end + 1 >= src.len() {
                        // A truncated file: what there is, properly ended.
                        out.extend_from_slice(&[0xFF, 0xD9]);
                        return Ok(out);
                    }
                    i = data_end;
                }
            }
        }
    }
}

/// Where the entropy-coded data starting at `i` ends: at the first 0xFF that
/// is neither a stuffed 0xFF00 nor a restart marker (or at the end of `src`;
/// a trailing lone 0xFF is not data).
fn entropy_end(src: &[u8], mut i: usize) -> usize {
    loop {
        match src[i..].iter().position(|&b| b == 0xFF) {
            None => return src.len(),
            Some(p) => {
                i += p;
                match src.get(i + 1) {
                    Some(0x00 | 0xD0..=0xD7) => i += 2,
                    // A marker starts here (or would have: a lone 0xFF at
                    // the very end is not data).
                    _ => return i,
                }
            }
        }
    }
}

fn keep_jpeg_segment(marker: u8, payload: &[u8]) -> bool {
    match marker {
        0xE0 => payload.starts_with(b"JFIF\0"),
        0xE2 => payload.starts_with(b"ICC_PROFILE\0"),
        0xEE => payload.starts_with(b"Adobe"),
        0xE1 | 0xE3..=0xED | 0xEF | 0xFE => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(payload);
        out
    }

    #[test]
    fn jpeg_keeps_decoding_segments_and_drops_metadata_between_scans_and_after_eoi() {
        let mut src = vec![0xFF, 0xD8];
        src.extend(segment(0xE0, b"JFIF\0\x01\x01"));
        src.extend(segment(0xE1, b"Exif\0\0GPS"));
        src.extend(segment(0xDB, b"\0qtable"));
        src.extend(segment(0xDA, b"\x01scan1"));
        src.extend([0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]); // data, stuffing, restart
        src.extend(segment(0xFE, b"comment between scans"));
        src.extend(segment(0xC4, b"huffman"));
        src.extend(segment(0xDA, b"\x01scan2"));
        src.extend([0x78, 0xFF, 0xFF, 0xD9]); // fill byte before EOI
        let first_len = src.len();
        // An MPO's second picture, with its own Exif.
        src.extend([0xFF, 0xD8]);
        src.extend(segment(0xE1, b"Exif\0\0GPS second"));
        src.extend([0xFF, 0xD9]);

        let out = jpeg(&src).unwrap();
        let has = |needle: &[u8]| out.windows(needle.len()).any(|w| w == needle);
        assert!(!has(b"GPS") && !has(b"Exif") && !has(b"comment"));
        assert!(has(b"JFIF") && has(b"qtable") && has(b"huffman") && has(b"scan2"));
        assert!(has(&[0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]));
        assert_eq!(&out[out.len() - 2..], &[0xFF, 0xD9]);
        assert!(out.len() < first_len);
    }

    #[test]
    fn jpeg_damage_is_an_error_not_a_panic() {
        for src in [
            vec![0xFF],
            vec![0xFF, 0xD8],
            vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00],
            vec![0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01],
            vec![0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x00],
            vec![0xFF, 0xD8, 0xFF, 0xD8],
            vec![0xFF, 0xD8, 0x00, 0x00],
        ] {
            assert!(jpeg(&src).is_err(), "{src:?}");
        }
        // A scan that runs to the end of the file is closed with an EOI,
        // and the lone 0xFF it ended with is not kept as data.
        let mut src = vec![0xFF, 0xD8];
        src.extend(segment(0xDA, b"\x01s"));
        src.extend([1, 2, 3, 0xFF]);
        let out = jpeg(&src).unwrap();
        assert!(out.ends_with(&[1, 2, 3, 0xFF, 0xD9]), "{out:?}");
        assert_eq!(jpeg(&out).unwrap(), out);
    }

    /// Found by `make fuzz` (image_strip): 0xFF 0x00 after a scan was read as
    /// a segment with marker 0x00 whose "length" swallowed the fill byte of
    /// the next marker, so a second strip changed the output. Not a marker:
    /// the file is damaged.
    #[test]
    fn a_byte_that_is_no_marker_is_damage() {
        let input: Vec<u8> = vec![
            255, 216, 255, 206, 0, 16, 48, 0, 4, 43, 0, 108, 0, 255, 255, 255, 0, 255, 255, 255,
            255, 255, 255, 255, 255, 222, 0, 16, 32, 48, 0, 4, 255, 255, 255, 255, 255, 217, 255,
            255, 255, 255, 255, 255, 206, 0, 16, 0, 113, 255, 0, 48, 0, 0, 255, 255, 255, 255, 255,
            255, 255, 255, 255, 218, 0, 16, 217, 255, 255, 217, 255, 0, 16, 0, 113, 255, 255, 255,
            255, 255, 217, 255, 255, 255, 0, 0, 3, 255, 255, 255, 255, 255, 255, 255, 218, 0, 4,
            255, 255, 130, 130, 130, 134, 130, 130, 0, 3,
        ];
        assert!(crate::media::check_image(input).is_err());
        for marker in [0x00, 0x02, 0x7F, 0xBF] {
            assert!(jpeg(&[0xFF, 0xD8, 0xFF, marker, 0, 2, 0xFF, 0xD9]).is_err());
        }
    }

    /// Found by `make fuzz` (image_strip): a truncated scan ending in a lone
    /// 0xFF was kept with it, so stripping the result again changed it.
    #[test]
    fn stripping_is_idempotent_on_a_scan_cut_after_a_fill_byte() {
        let input: Vec<u8> = vec![
            255, 216, 255, 206, 0, 16, 0, 48, 0, 4, 0, 108, 0, 255, 255, 255, 0, 255, 255, 255,
            255, 255, 255, 255, 255, 222, 0, 16, 32, 48, 0, 4, 255, 255, 255, 255, 255, 217, 255,
            255, 255, 255, 255, 255, 206, 0, 16, 0, 48, 0, 4, 0, 108, 0, 255, 255, 255, 255, 0,
            255, 255, 255, 255, 255, 255, 255, 255, 255, 218, 0, 16, 217, 255, 255, 0, 16, 0, 48,
            0, 4, 0, 108, 0, 255, 255, 255, 0, 255,
        ];
        let once = crate::media::check_image(input).unwrap().bytes;
        let twice = crate::media::check_image(once.to_vec()).unwrap().bytes;
        assert_eq!(twice, once);
    }
}

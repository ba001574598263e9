//! Avatars: an uploaded (or, for a remote person, fetched) image is
//! checked, decoded within limits, cropped to a centred square and resized
//! to the sizes pages show, then stored as PNG. Nothing else of the file is
//! kept (no metadata, no original), and the stored images are served from
//! this instance only: a remote person's avatar is never hotlinked.

use super::{
    person_updates::{PersonAudience, PersonDocuments},
    Domain, DomainError, DomainResult, Refusal,
};
use crate::domain::store::{
    actors::{ActorId, ActorRow},
    avatars::{self, AvatarImages, AvatarSize},
    profiles::ProfileRow,
};
use image::{imageops::FilterType, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};
use std::io::Cursor;

/// The largest file accepted, uploaded or fetched (5 MiB).
pub const MAX_AVATAR_BYTES: usize = 5 * 1024 * 1024;
/// The largest width or height accepted, read from the file's header
/// before anything is decoded.
pub const MAX_AVATAR_SIDE: u32 = 8000;
/// The most pixels accepted (a 12-megapixel photo passes, with room).
pub const MAX_AVATAR_PIXELS: u64 = 40_000_000;
/// The sizes served, in pixels: `/avatars/{person}/{size}.png`.
pub const AVATAR_SIZES: [u32; 3] = [48, 96, 256];

/// The stored size for a size in a URL.
pub fn avatar_size(pixels: u32) -> Option<AvatarSize> {
    match pixels {
        48 => Some(AvatarSize::Small),
        96 => Some(AvatarSize::Medium),
        256 => Some(AvatarSize::Large),
        _ => None,
    }
}

fn readable_format(format: ImageFormat) -> bool {
    matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP | ImageFormat::Gif
    )
}

fn reader(bytes: &[u8]) -> DomainResult<ImageReader<Cursor<&[u8]>>> {
    let reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| Refusal::AvatarUnreadable)?;
    match reader.format() {
        Some(format) if readable_format(format) => Ok(reader),
        _ => Err(Refusal::AvatarUnreadable.into()),
    }
}

fn encode_png(image: &DynamicImage) -> DomainResult<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    image
        .write_to(&mut out, ImageFormat::Png)
        .map_err(|error| DomainError::Internal(format!("avatar encoding: {error}")))?;
    Ok(out.into_inner())
}

/// Checks and converts an image file into the stored avatar sizes, on
/// the calling thread (see [`process_avatar`]).
///
/// Refuses a file over [`MAX_AVATAR_BYTES`] (`avatar_too_large`), one
/// whose header declares more than [`MAX_AVATAR_SIDE`] on a side or
/// [`MAX_AVATAR_PIXELS`] in all (`avatar_dimensions_too_large`, before
/// any pixel is decoded: a small file cannot make the server allocate
/// gigabytes), and anything that is not a readable PNG, JPEG, WebP or GIF
/// (`avatar_unreadable`). A JPEG's EXIF orientation is applied.
pub fn process_avatar_now(bytes: &[u8]) -> DomainResult<AvatarImages> {
    if bytes.len() > MAX_AVATAR_BYTES {
        return Err(Refusal::AvatarTooLarge.into());
    }
    let (width, height) = reader(bytes)?
        .into_dimensions()
        .map_err(|_| Refusal::AvatarUnreadable)?;
    if width == 0 || height == 0 {
        return Err(Refusal::AvatarUnreadable.into());
    }
    if width > MAX_AVATAR_SIDE
        || height > MAX_AVATAR_SIDE
        || u64::from(width) * u64::from(height) > MAX_AVATAR_PIXELS
    {
        return Err(Refusal::AvatarDimensionsTooLarge.into());
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_AVATAR_SIDE);
    limits.max_image_height = Some(MAX_AVATAR_SIDE);
    // Four bytes a pixel, plus the decoder's own buffers.
    limits.max_alloc = Some(MAX_AVATAR_PIXELS * 4 + 64 * 1024 * 1024);
    let mut decoder = reader(bytes)?
        .into_decoder()
        .map_err(|_| Refusal::AvatarUnreadable)?;
    decoder.set_limits(limits).map_err(|error| match error {
        image::ImageError::Limits(_) => DomainError::from(Refusal::AvatarDimensionsTooLarge),
        _ => DomainError::from(Refusal::AvatarUnreadable),
    })?;
    let orientation = decoder.orientation().ok();
    let mut image = DynamicImage::from_decoder(decoder).map_err(|error| match error {
        image::ImageError::Limits(_) => DomainError::from(Refusal::AvatarDimensionsTooLarge),
        _ => DomainError::from(Refusal::AvatarUnreadable),
    })?;
    if let Some(orientation) = orientation {
        image.apply_orientation(orientation);
    }
    let side = image.width().min(image.height());
    let square = image.crop_imm(
        (image.width() - side) / 2,
        (image.height() - side) / 2,
        side,
        side,
    );
    // One resampling from the full picture (a triangle filter is fast on
    // millions of pixels), then the sharper filter between small sizes.
    let large = DynamicImage::ImageRgba8(square.to_rgba8()).resize_exact(
        AVATAR_SIZES[2],
        AVATAR_SIZES[2],
        FilterType::Triangle,
    );
    let medium = large.resize_exact(AVATAR_SIZES[1], AVATAR_SIZES[1], FilterType::Lanczos3);
    let small = large.resize_exact(AVATAR_SIZES[0], AVATAR_SIZES[0], FilterType::Lanczos3);
    let large = encode_png(&large)?;
    let hash = Sha256::digest(&large);
    let version: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
    Ok(AvatarImages {
        version,
        small: encode_png(&small)?,
        medium: encode_png(&medium)?,
        large,
    })
}

/// [`process_avatar_now`] on a blocking thread.
pub async fn process_avatar(bytes: Vec<u8>) -> DomainResult<AvatarImages> {
    tokio::task::spawn_blocking(move || process_avatar_now(&bytes))
        .await
        .map_err(|error| DomainError::Internal(error.to_string()))?
}

impl Domain {
    /// Replaces a local person's avatar with the uploaded image, and
    /// queues the `Update` of their document (built by `documents`) for
    /// the instances that know them, in the same transaction. A refused
    /// image leaves the avatar they had.
    pub async fn set_avatar(
        &self,
        actor: ActorId,
        bytes: Vec<u8>,
        documents: &dyn PersonDocuments,
    ) -> DomainResult<String> {
        let images = process_avatar(bytes).await?;
        let (mut person, profile, audience) = self.person_before_change(actor).await?;
        let mut tx = self.store.begin().await?;
        let now = tx.now_ms();
        avatars::save_avatar_in(&mut tx, actor, &images, "", now).await?;
        avatars::touch_actor_in(&mut tx, actor, now).await?;
        person.updated_at = now;
        let saved = (&person, &profile, Some(images.version.as_str()));
        self.queue_person_update(&mut tx, documents, &audience, saved)
            .await?;
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(images.version)
    }

    /// Removes a person's avatar, and queues the `Update` of their
    /// document as [`Self::set_avatar`] does; whether there was one.
    pub async fn remove_avatar(
        &self,
        actor: ActorId,
        documents: &dyn PersonDocuments,
    ) -> DomainResult<bool> {
        let (mut person, profile, audience) = self.person_before_change(actor).await?;
        let mut tx = self.store.begin().await?;
        let removed = avatars::delete_avatar_in(&mut tx, actor).await?;
        if removed {
            let now = tx.now_ms();
            avatars::touch_actor_in(&mut tx, actor, now).await?;
            person.updated_at = now;
            self.queue_person_update(&mut tx, documents, &audience, (&person, &profile, None))
                .await?;
        }
        crate::domain::store::commit(tx).await?;
        self.after_commit();
        Ok(removed)
    }

    /// A local person, their profile and who learns of their changes, read
    /// before a change.
    async fn person_before_change(
        &self,
        actor: ActorId,
    ) -> DomainResult<(ActorRow, ProfileRow, PersonAudience)> {
        let person = self.actor_by_id(actor).await?;
        let profile = self.store.profile(actor).await?.unwrap_or_default();
        let audience = self.person_audience(&person).await?;
        Ok((person, profile, audience))
    }

    /// The version key of an actor's avatar, if they have one.
    pub async fn avatar_version(&self, actor: ActorId) -> DomainResult<Option<String>> {
        Ok(self
            .store
            .avatar_version(actor)
            .await?
            .map(|(version, _)| version))
    }

    /// The version key and PNG of the avatar of the person `handle`
    /// (`name` here, `name@host` elsewhere) at `pixels`, if any.
    pub async fn avatar_image(
        &self,
        handle: &str,
        pixels: u32,
    ) -> DomainResult<Option<(String, Vec<u8>)>> {
        let Some(size) = avatar_size(pixels) else {
            return Ok(None);
        };
        let own_host = &self.settings.instance.domain;
        let actor = match handle.split_once('@') {
            Some((name, host)) if !host.eq_ignore_ascii_case(own_host) => {
                self.store
                    .remote_actor_by_handle(name, &host.to_ascii_lowercase())
                    .await?
            }
            Some((name, _)) => self.store.local_actor_by_name(name).await?,
            None => self.store.local_actor_by_name(handle).await?,
        };
        let Some(actor) = actor else {
            return Ok(None);
        };
        Ok(self.store.avatar_image(actor.id, size).await?)
    }

    /// The `icon` URL a remote person's stored avatar came from, or None.
    pub async fn remote_avatar_source(&self, actor: ActorId) -> DomainResult<Option<String>> {
        Ok(self
            .store
            .avatar_version(actor)
            .await?
            .map(|(_, source)| source))
    }

    /// Stores the avatar of a remote person fetched from its `icon` at
    /// `source_url`, checked and converted as uploads are.
    pub async fn record_remote_avatar(
        &self,
        actor: ActorId,
        source_url: &str,
        bytes: Vec<u8>,
    ) -> DomainResult<()> {
        let images = process_avatar(bytes).await?;
        self.store.save_avatar(actor, &images, source_url).await?;
        Ok(())
    }

    /// Forgets a remote person's avatar (their document has no `icon`
    /// any more).
    pub async fn forget_remote_avatar(&self, actor: ActorId) -> DomainResult<()> {
        self.store.delete_avatar(actor).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageBuffer, Rgb, RgbImage};

    fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, format).unwrap();
        out.into_inner()
    }

    fn gradient(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(ImageBuffer::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        }))
    }

    fn code(result: DomainResult<AvatarImages>) -> &'static str {
        match result {
            Err(DomainError::Refused(refusal)) => refusal.code(),
            Err(other) => panic!("unexpected error {other}"),
            Ok(_) => "ok",
        }
    }

    #[test]
    fn every_format_is_cropped_and_resized_to_png() {
        for format in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::WebP,
            ImageFormat::Gif,
        ] {
            let source = gradient(300, 200);
            let source = if format == ImageFormat::Gif {
                DynamicImage::ImageRgba8(source.to_rgba8())
            } else {
                source
            };
            let images = process_avatar_now(&encoded(&source, format)).unwrap();
            for (png, side) in [
                (&images.small, 48),
                (&images.medium, 96),
                (&images.large, 256),
            ] {
                let decoded = image::load_from_memory_with_format(png, ImageFormat::Png).unwrap();
                assert_eq!(
                    (decoded.width(), decoded.height()),
                    (side, side),
                    "{format:?}"
                );
            }
            assert_eq!(images.version.len(), 12);
        }
    }

    #[test]
    fn the_same_image_gives_the_same_version() {
        let bytes = encoded(&gradient(64, 64), ImageFormat::Png);
        let first = process_avatar_now(&bytes).unwrap();
        let second = process_avatar_now(&bytes).unwrap();
        assert_eq!(first.version, second.version);
        let mut changed = gradient(64, 64).to_rgb8();
        for x in 0..64 {
            changed.put_pixel(x, 32, Rgb([255, 255, 255]));
        }
        let changed = encoded(&DynamicImage::ImageRgb8(changed), ImageFormat::Png);
        let other = process_avatar_now(&changed).unwrap();
        assert_ne!(first.version, other.version);
    }

    #[test]
    fn garbage_and_other_formats_are_unreadable() {
        assert_eq!(
            code(process_avatar_now(b"not an image at all")),
            "avatar_unreadable"
        );
        assert_eq!(code(process_avatar_now(b"")), "avatar_unreadable");
        // A BMP header: a format this build does not read.
        let bmp = [b"BM".as_slice(), &[0u8; 60]].concat();
        assert_eq!(code(process_avatar_now(&bmp)), "avatar_unreadable");
        // A PNG cut in the middle of its pixels.
        let png = encoded(&gradient(200, 200), ImageFormat::Png);
        assert_eq!(
            code(process_avatar_now(&png[..png.len() / 2])),
            "avatar_unreadable"
        );
    }

    #[test]
    fn large_files_are_refused_before_decoding() {
        let big = vec![0u8; MAX_AVATAR_BYTES + 1];
        assert_eq!(code(process_avatar_now(&big)), "avatar_too_large");
    }

    /// A decompression bomb: a tiny PNG whose header declares 50,000 ×
    /// 50,000 pixels (10 GB once decoded) is refused from its header.
    #[test]
    fn huge_declared_dimensions_are_refused() {
        let mut png = encoded(&gradient(1, 1), ImageFormat::Png);
        // IHDR starts at byte 8 (length 4, type 4): width and height
        // follow, then the chunk's CRC over type and data.
        png[16..20].copy_from_slice(&50_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&50_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(png.len() < 200);
        assert_eq!(
            code(process_avatar_now(&png)),
            "avatar_dimensions_too_large"
        );
        // Within each side's limit but too many pixels in all.
        let wide: RgbImage = ImageBuffer::new(MAX_AVATAR_SIDE, 1);
        let mut png = encoded(&DynamicImage::ImageRgb8(wide), ImageFormat::Png);
        png[20..24].copy_from_slice(&MAX_AVATAR_SIDE.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            code(process_avatar_now(&png)),
            "avatar_dimensions_too_large"
        );
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for byte in bytes {
            crc ^= u32::from(*byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    /// The time to process a 12-megapixel JPEG (4000 × 3000), printed:
    /// `cargo test -p preau --lib avatars::tests::twelve -- --nocapture`
    /// (an optimised build: add `--release`).
    #[test]
    fn twelve_megapixel_photo_is_processed() {
        let photo = gradient(4000, 3000);
        let mut jpeg = Cursor::new(Vec::new());
        photo
            .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
                &mut jpeg, 85,
            ))
            .unwrap();
        let jpeg = jpeg.into_inner();
        assert!(jpeg.len() <= MAX_AVATAR_BYTES, "{} bytes", jpeg.len());
        let started = std::time::Instant::now();
        let images = process_avatar_now(&jpeg).unwrap();
        println!(
            "12-megapixel JPEG ({} KiB) processed in {} ms",
            jpeg.len() / 1024,
            started.elapsed().as_millis()
        );
        assert!(!images.large.is_empty());
    }
}

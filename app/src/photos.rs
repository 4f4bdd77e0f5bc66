//! Photos, stored content-addressed (SHA-256 of the bytes) through `object_store`:
//! a directory under the data dir by default, an S3-compatible bucket when
//! configured, so several app servers share them. Each photo also gets a small
//! JPEG copy for lists.

use crate::error::{internal, AppError, AppResult};
use bytes::Bytes;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Photos larger than this are refused.
pub const MAX_PHOTO_BYTES: usize = 15 * 1024 * 1024;
/// At most this many photos per check-in or follow-up.
pub const MAX_PHOTOS: usize = 6;
/// The list copy fits in a square of this many pixels.
const THUMB_PX: u32 = 320;

#[derive(Clone)]
pub struct PhotoStore {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for PhotoStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PhotoStore({})", self.store)
    }
}

impl PhotoStore {
    pub fn new(store: Arc<dyn ObjectStore>) -> PhotoStore {
        PhotoStore { store }
    }

    /// `s3://bucket[/prefix]` (credentials and endpoint from the usual AWS_*
    /// variables) or a local directory, created when missing.
    pub fn from_setting(setting: &str) -> Result<PhotoStore, String> {
        if let Some(rest) = setting.strip_prefix("s3://") {
            let bucket = rest.split('/').next().unwrap_or_default();
            let s3 = object_store::aws::AmazonS3Builder::from_env()
                .with_bucket_name(bucket)
                .build()
                .map_err(|e| e.to_string())?;
            let prefix = rest[bucket.len()..].trim_matches('/').to_string();
            let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
                Arc::new(s3)
            } else {
                Arc::new(object_store::prefix::PrefixStore::new(s3, prefix))
            };
            return Ok(PhotoStore::new(store));
        }
        std::fs::create_dir_all(setting).map_err(|e| format!("{setting}: {e}"))?;
        let local = object_store::local::LocalFileSystem::new_with_prefix(setting)
            .map_err(|e| e.to_string())?;
        Ok(PhotoStore::new(Arc::new(local)))
    }

    pub fn memory() -> PhotoStore {
        PhotoStore::new(Arc::new(object_store::memory::InMemory::new()))
    }

    /// Checks that the bytes are an image, stores them and their list copy, and
    /// returns the content address. Storing the same photo twice stores it once.
    pub async fn put(&self, bytes: Bytes) -> AppResult<String> {
        if bytes.len() > MAX_PHOTO_BYTES {
            return Err(AppError::validation("photos", "too_large"));
        }
        let hash = hex(&Sha256::digest(&bytes));
        let thumb_path = Path::from(format!("{hash}.thumb.jpg"));
        if self.store.head(&thumb_path).await.is_ok() {
            return Ok(hash);
        }
        let original = bytes.clone();
        let thumb = tokio::task::spawn_blocking(move || thumbnail(&original))
            .await
            .map_err(internal)??;
        self.store
            .put(&Path::from(hash.clone()), PutPayload::from_bytes(bytes))
            .await
            .map_err(internal)?;
        self.store
            .put(&thumb_path, PutPayload::from(thumb))
            .await
            .map_err(internal)?;
        Ok(hash)
    }

    /// The photo or its list copy, with its content type.
    pub async fn get(&self, hash: &str, thumb: bool) -> AppResult<Option<(Bytes, &'static str)>> {
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let path = if thumb {
            Path::from(format!("{hash}.thumb.jpg"))
        } else {
            Path::from(hash.to_string())
        };
        match self.store.get(&path).await {
            Ok(r) => {
                let bytes = r.bytes().await.map_err(internal)?;
                let mime = if thumb {
                    "image/jpeg"
                } else {
                    image::guess_format(&bytes)
                        .map(|f| f.to_mime_type())
                        .unwrap_or("application/octet-stream")
                };
                Ok(Some((bytes, mime)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(internal(e)),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Decodes (refusing what is not an image, and images too large to decode
/// safely) and writes a small JPEG.
fn thumbnail(bytes: &[u8]) -> AppResult<Vec<u8>> {
    let mut reader = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| AppError::validation("photos", "not_image"))?;
    if reader.format().is_none() {
        return Err(AppError::validation("photos", "not_image"));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_000);
    limits.max_image_height = Some(16_000);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|_| AppError::validation("photos", "not_image"))?;
    let small = img.thumbnail(THUMB_PX, THUMB_PX).to_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 75)
        .encode_image(&small)
        .map_err(internal)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Bytes {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 30, 30]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        Bytes::from(out.into_inner())
    }

    #[tokio::test]
    async fn stores_once_by_content_with_a_small_copy() {
        let store = PhotoStore::memory();
        let a = store.put(png(1200, 800)).await.unwrap();
        let b = store.put(png(1200, 800)).await.unwrap();
        assert_eq!(a, b);
        assert_eq!(a.len(), 64);
        let (thumb, mime) = store.get(&a, true).await.unwrap().unwrap();
        assert_eq!(mime, "image/jpeg");
        let t = image::load_from_memory(&thumb).unwrap();
        assert_eq!((t.width(), t.height()), (320, 213));
        let (_, mime) = store.get(&a, false).await.unwrap().unwrap();
        assert_eq!(mime, "image/png");
    }

    #[tokio::test]
    async fn refuses_what_is_not_an_image_or_too_large() {
        let store = PhotoStore::memory();
        let err = store.put(Bytes::from_static(b"%PDF-1.7 not a photo")).await;
        assert_eq!(err, Err(AppError::validation("photos", "not_image")));
        let big = Bytes::from(vec![0u8; MAX_PHOTO_BYTES + 1]);
        assert_eq!(
            store.put(big).await,
            Err(AppError::validation("photos", "too_large"))
        );
        assert_eq!(store.get("../etc/passwd", false).await, Ok(None));
        assert_eq!(store.get(&"a".repeat(64), true).await, Ok(None));
    }
}
